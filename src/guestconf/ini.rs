//! INI-style files as NetworkManager keyfiles and systemd `.network`/`.link` units write
//! them: `[Section]`, `key=value`, `#`/`;` comments. Keys may repeat (systemd's `Address=`).

use super::error::{IniProblem, ReadError};

/// A parsed file: sections in order, each with its assignments in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ini {
    pub sections: Vec<(String, Vec<(String, String)>)>,
}

impl Ini {
    pub fn parse(content: &str) -> Result<Ini, ReadError> {
        let mut ini = Ini::default();
        for (i, raw) in content.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[') {
                let name =
                    name.strip_suffix(']').ok_or(ReadError::IniLine { line: i + 1, what: IniProblem::Header })?;
                ini.sections.push((name.trim().to_string(), Vec::new()));
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| ReadError::IniLine { line: i + 1, what: IniProblem::NotAssignment(line.to_string()) })?;
            let section =
                ini.sections.last_mut().ok_or(ReadError::IniLine { line: i + 1, what: IniProblem::OutsideSection })?;
            section.1.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(ini)
    }

    /// Every value of `key` in every section named `section`, in order.
    pub fn all<'a>(&'a self, section: &str, key: &str) -> Vec<&'a str> {
        self.sections
            .iter()
            .filter(|(s, _)| s == section)
            .flat_map(|(_, kv)| kv.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()))
            .collect()
    }

    /// The last value of `key` in `section`.
    pub fn get<'a>(&'a self, section: &str, key: &str) -> Option<&'a str> {
        self.all(section, key).pop()
    }

    pub fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|(s, _)| s == section)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_and_repeats() {
        let ini = Ini::parse("# c\n[Match]\nName = eth*\n\n[Network]\nAddress=10.0.0.1/24\n; x\nAddress=fd00::1/64\n[Network]\nDNS=1.1.1.1\n").unwrap();
        assert_eq!(ini.get("Match", "Name"), Some("eth*"));
        assert_eq!(ini.all("Network", "Address"), ["10.0.0.1/24", "fd00::1/64"]);
        assert_eq!(ini.get("Network", "DNS"), Some("1.1.1.1"));
        assert_eq!(ini.get("Link", "Name"), None);
        assert_eq!(Ini::parse("a=b").unwrap_err().to_string(), "line 1: key outside any [section]");
        assert_eq!(Ini::parse("[x\n").unwrap_err().to_string(), "line 1: unterminated section header");
        assert_eq!(Ini::parse("[x]\nnonsense\n").unwrap_err().to_string(), "line 2: not key=value: 'nonsense'");
    }
}
