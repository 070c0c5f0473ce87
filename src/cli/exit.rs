//! Exit statuses and their codes, stable and documented in the README: 0 nothing at or above
//! `--fail-on`; 1 findings at or above it; 2 the tool could not run (bad arguments, config,
//! policy); 3 some input files could not be read or understood, and nothing else failed.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above the threshold (0).
    Clean,
    /// Findings at or above `--fail-on` (1).
    Findings,
    /// The tool could not run: bad arguments, config or policy (2).
    Usage,
    /// Some input files could not be read or understood, and no finding failed the run (3).
    InputErrors,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Usage => 2,
            ExitStatus::InputErrors => 3,
        }
    }
}
