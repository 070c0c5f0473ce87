//! Diagnostics: every problem any stage meets with an input (a file it could not read or
//! understand, a module it did not follow, a value it refused to compute) is one
//! [`Diagnostic`], with a stable [`Code`], the file, the line and a message that says what to
//! do. Errors (exit 3: something could not be understood, so the map may be incomplete) and
//! warnings (something was not followed, and the report says so) are the same type, kept in
//! two lists. Reports show the code in JSON (`errors[].code`, `warnings[].code`) and SARIF
//! (`toolExecutionNotifications[].descriptor.id`); the README lists every code.

use serde::Serialize;

/// What kind of problem a diagnostic is. The kebab-case names are stable: CI scripts may
/// match on them. Each has a one-line description in [`Code::description`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    Unreadable,
    TooLarge,
    Binary,
    Encoding,
    Syntax,
    TooDeep,
    Shape,
    InvalidValue,
    ParseTimeout,
    SymlinkNotFollowed,
    SkippedDirectory,
    UnrenderedTemplate,
    ModuleNotLocal,
    ModuleOutside,
    ModuleCycle,
    ModuleUnreadable,
    TooManyInstances,
    BudgetExceeded,
    LinkNotFollowed,
    UnmatchedParameters,
    ConfigUnused,
    Config,
    Usage,
    Internal,
}

impl Code {
    /// Every code, in the order the README lists them.
    pub const ALL: &'static [Code] = &[
        Code::Unreadable,
        Code::TooLarge,
        Code::Binary,
        Code::Encoding,
        Code::Syntax,
        Code::TooDeep,
        Code::Shape,
        Code::InvalidValue,
        Code::ParseTimeout,
        Code::SymlinkNotFollowed,
        Code::SkippedDirectory,
        Code::UnrenderedTemplate,
        Code::ModuleNotLocal,
        Code::ModuleOutside,
        Code::ModuleCycle,
        Code::ModuleUnreadable,
        Code::TooManyInstances,
        Code::BudgetExceeded,
        Code::LinkNotFollowed,
        Code::UnmatchedParameters,
        Code::ConfigUnused,
        Code::Config,
        Code::Usage,
        Code::Internal,
    ];

    /// The stable name, as reports show it (`too-large`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unreadable => "unreadable",
            Code::TooLarge => "too-large",
            Code::Binary => "binary",
            Code::Encoding => "encoding",
            Code::Syntax => "syntax",
            Code::TooDeep => "too-deep",
            Code::Shape => "shape",
            Code::InvalidValue => "invalid-value",
            Code::ParseTimeout => "parse-timeout",
            Code::SymlinkNotFollowed => "symlink-not-followed",
            Code::SkippedDirectory => "skipped-directory",
            Code::UnrenderedTemplate => "unrendered-template",
            Code::ModuleNotLocal => "module-not-local",
            Code::ModuleOutside => "module-outside",
            Code::ModuleCycle => "module-cycle",
            Code::ModuleUnreadable => "module-unreadable",
            Code::TooManyInstances => "too-many-instances",
            Code::BudgetExceeded => "budget-exceeded",
            Code::LinkNotFollowed => "link-not-followed",
            Code::UnmatchedParameters => "unmatched-parameters",
            Code::ConfigUnused => "config-unused",
            Code::Config => "config",
            Code::Usage => "usage",
            Code::Internal => "internal",
        }
    }

    /// What the code means, in one line.
    pub fn description(self) -> &'static str {
        match self {
            Code::Unreadable => "the file or directory could not be read (missing, permissions, not a regular file, outside the scanned paths)",
            Code::TooLarge => "the file is larger than --max-file-size (or its YAML aliases expand past the limit) and was not read",
            Code::Binary => "the file is not text (a NUL byte without a byte order mark)",
            Code::Encoding => "the file is not valid UTF-8, or not valid in the encoding its byte order mark names",
            Code::Syntax => "the file is not valid HCL, JSON or YAML at the line given",
            Code::TooDeep => "the file nests too deeply to be read safely",
            Code::Shape => "the file is valid syntax but not the shape its format requires (a resource that is not an object)",
            Code::InvalidValue => "a value is not one the format allows (a tenants file's unknown service or region)",
            Code::ParseTimeout => "parsing the file took longer than --file-timeout",
            Code::SymlinkNotFollowed => "a symbolic link leading out of the scanned paths, or to a directory, was not followed (--follow-symlinks)",
            Code::SkippedDirectory => "a directory skipped by default (node_modules, target, .terraform) holds infrastructure code",
            Code::UnrenderedTemplate => "a Helm chart template that is not rendered; scan the output of `helm template`",
            Code::ModuleNotLocal => "a Terraform module from a registry or repository is not scanned; scan a plan to include it",
            Code::ModuleOutside => "a local Terraform module outside the scanned paths is not read",
            Code::ModuleCycle => "Terraform modules call each other in a cycle, or nest too deeply",
            Code::ModuleUnreadable => "a local Terraform module's directory or files could not be read",
            Code::TooManyInstances => "a configuration expands into more module instances than the scan evaluates",
            Code::BudgetExceeded => "evaluating values took more work than the budget allows; the values are unknown",
            Code::LinkNotFollowed => "a linked template or nested deployment could not be followed; its resources are not scanned",
            Code::UnmatchedParameters => "a parameter file matches no template, so its values were not applied",
            Code::ConfigUnused => "a residency.toml was found but is not the one the scan uses",
            Code::Config => "a setting in residency.toml is not valid",
            Code::Usage => "the command line, or a file it names (policy, catalog, baseline), cannot be used",
            Code::Internal => "an internal error in residency (please report it); the file's resources may be missing",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    /// The file as reports show it (relative to the scanned path); empty until the stage that
    /// knows the file fills it in.
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// What happened and what to do about it.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `line` of a file the caller will name ([`Diagnostic::in_file`]).
    pub fn new(code: Code, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            file: String::new(),
            line,
            message: message.into(),
        }
    }

    /// A problem with `file` (at `line`).
    pub fn at(
        code: Code,
        file: impl Into<String>,
        line: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// A problem with the command line or a file it names (exit 2), as one message.
    pub fn usage(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Code::Usage, 0, message)
    }

    /// The same problem, in `file`.
    pub fn in_file(mut self, file: &str) -> Diagnostic {
        self.file = file.to_string();
        self
    }
}

/// `file:line: message`, or the message alone when the diagnostic names no file.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.file.is_empty(), self.line) {
            (true, _) => f.write_str(&self.message),
            (false, 0) => write!(f, "{}: {}", self.file, self.message),
            (false, line) => write!(f, "{}:{line}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_all_listed_and_described() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "two codes share a name");
        for code in Code::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()), "serialised name");
            assert!(code.description().len() > 20, "{code} has no description");
        }
    }

    #[test]
    fn the_readme_lists_every_code() {
        let readme = include_str!("../README.md");
        for code in Code::ALL {
            assert!(
                readme.contains(&format!("| `{}` |", code.as_str())),
                "README.md does not document {code}"
            );
        }
    }
}
