//! What can be wrong with a guest's config file: the one error type of every reader.

use super::shellvars::ShellVarsError;

/// Why a config file (of any format) cannot be read. Values from the file are shown
/// escaped, on one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("not UTF-8 text")]
    NotUtf8,
    /// ifcfg: the shell subset we read as data.
    #[error(transparent)]
    Shell(#[from] ShellVarsError),
    /// INI (keyfile, networkd, .link): a line that is no section, assignment or comment.
    #[error("line {line}: {what}")]
    IniLine { line: usize, what: IniProblem },
    /// YAML (netplan) that does not load.
    #[error("{0}")]
    Yaml(String),
    /// A line of an interfaces(5) file that does not fit where it stands.
    #[error("'{}': {what}", .line.escape_debug())]
    Stanza { line: String, what: &'static str },
    /// A key whose value is not what the format says it is.
    #[error("{key}: '{}' is not {what}", .value.escape_debug())]
    Value { key: String, value: String, what: &'static str },
    /// Something the file must have and lacks.
    #[error("{0}")]
    Missing(&'static str),
}

/// Why an INI line cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IniProblem {
    #[error("unterminated section header")]
    Header,
    #[error("not key=value: '{}'", .0.escape_debug())]
    NotAssignment(String),
    #[error("key outside any [section]")]
    OutsideSection,
}

impl ReadError {
    /// `key`'s `value` is not `what` (e.g. "a MAC address", "a number").
    pub fn value(key: impl Into<String>, value: impl Into<String>, what: &'static str) -> ReadError {
        ReadError::Value { key: key.into(), value: value.into(), what }
    }
}
