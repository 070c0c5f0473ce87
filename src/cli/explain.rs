//! `residency explain RULE`: the documentation of one rule, from the built-in policies or the
//! suppression rules.

use super::output::write_output;
use super::ExitStatus;
use crate::{policy, report, suppress};

#[derive(clap::Args)]
pub struct Args {
    /// Rule id, such as MSI001, CLD001 or EEA002.
    pub rule: String,
}

pub fn run(args: Args) -> Result<ExitStatus, String> {
    let rule = args.rule;
    for (id, _) in policy::BUILT_IN {
        let p = policy::load(id)?;
        if let Some(r) = p.rules.iter().find(|r| r.id.eq_ignore_ascii_case(&rule)) {
            let mut out = format!(
                    "{}: {}\n\npolicy:   {} ({})\nseverity: {}\nverdict:  {}\n\n{}\n\nWhat to do: {}\n\nSources:\n",
                    r.id,
                    r.title,
                    p.info.id,
                    p.info.title,
                    r.severity.as_str(),
                    r.verdict,
                    r.explanation,
                    policy::generic_text(&r.remediation)
                );
            for c in &p.info.citations {
                out.push_str(&format!("  · {c}\n"));
            }
            out.push_str(&format!("\n{}\n", report::DISCLAIMER));
            write_output(&out, None)?;
            return Ok(ExitStatus::Clean);
        }
    }
    if let Some(m) = suppress::meta_rule(&rule) {
        let out = format!(
                "{}: {}\n\npolicy:   {} (built in: suppressions)\nseverity: medium\n\n{}\n\nWhat to do: {}\n",
                m.id,
                m.title,
                suppress::META_POLICY,
                m.explanation,
                m.remediation
            );
        write_output(&out, None)?;
        return Ok(ExitStatus::Clean);
    }
    Err(format!(
        "no rule {rule}; `residency policies` lists every rule"
    ))
}
