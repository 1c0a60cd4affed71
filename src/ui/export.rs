//! `export`'s formats: the `HALO_*` variables as a POSIX shell script to source, a dotenv file,
//! JSON, or PowerShell, each value quoted for its reader so that one holding quotes, `$` or
//! backslashes reads back as it was. Shell quoting is the `shlex` crate's. It returns text (wiped
//! from memory when dropped, since it may hold the secret) and writes nothing.

use zeroize::Zeroizing;

use super::json;

/// The formats `export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `export NAME='value'` lines for bash, zsh, dash: `source` it or `eval "$(…)"`.
    Env,
    /// `NAME=value` lines, for `docker compose`, CI secret stores and dotenv readers.
    Dotenv,
    /// One object of `"NAME": "value"`.
    Json,
    /// `$env:NAME = 'value'` lines for PowerShell.
    Powershell,
}

/// Renders the variables; `header` (one line, no secret) opens every format that has comments.
/// Fails, naming the variable, on a value no format can carry (a NUL character).
pub fn render(
    format: Format,
    header: &str,
    vars: &[(&str, &str)],
) -> Result<Zeroizing<String>, String> {
    if let Some((name, _)) = vars.iter().find(|(_, v)| v.contains('\0')) {
        return Err(format!("{name} contains a NUL character"));
    }
    if format == Format::Json {
        let mut text = Zeroizing::new(json::to_string(&json::ExportOutput(vars)));
        text.push('\n');
        return Ok(text);
    }
    let mut out = Zeroizing::new(format!("# {header}\n"));
    for (name, value) in vars {
        let quoted = match format {
            Format::Env => shell(value)?,
            Format::Dotenv => dotenv(value),
            Format::Powershell | Format::Json => powershell(value),
        };
        let line = match format {
            Format::Env => Zeroizing::new(format!("export {name}={}\n", quoted.as_str())),
            Format::Dotenv => Zeroizing::new(format!("{name}={}\n", quoted.as_str())),
            Format::Powershell | Format::Json => {
                Zeroizing::new(format!("$env:{name} = {}\n", quoted.as_str()))
            }
        };
        out.push_str(&line);
    }
    Ok(out)
}

/// POSIX shell quoting, as `shlex` does it (left bare when nothing needs quoting).
fn shell(value: &str) -> Result<Zeroizing<String>, String> {
    shlex::try_quote(value)
        .map(|q| Zeroizing::new(q.into_owned()))
        .map_err(|e| e.to_string())
}

/// Bare when only URL-safe characters; else single-quoted (taken literally by docker compose and
/// the dotenv readers); a value holding `'` is double-quoted with `\`, `"` and `$` escaped.
fn dotenv(value: &str) -> Zeroizing<String> {
    let bare = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+,~".contains(c));
    if bare {
        return Zeroizing::new(value.to_string());
    }
    if !value.contains('\'') && !value.chars().any(char::is_control) {
        return Zeroizing::new(format!("'{value}'"));
    }
    let mut s = Zeroizing::new(String::from("\""));
    for c in value.chars() {
        match c {
            '\\' | '"' | '$' => {
                s.push('\\');
                s.push(c);
            }
            '\n' => s.push_str("\\n"),
            _ => s.push(c),
        }
    }
    s.push('"');
    s
}

/// A PowerShell single-quoted (verbatim) string: every kind of single quote PowerShell accepts as
/// one is doubled.
fn powershell(value: &str) -> Zeroizing<String> {
    let mut s = Zeroizing::new(String::from("'"));
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            s.push(c);
        }
        s.push(c);
    }
    s.push('\'');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRICKY: &str = "a'b\"c$d`e\\f g";

    #[test]
    fn dotenv_quotes_only_what_needs_it() {
        assert_eq!(
            dotenv("https://acme.halopsa.com/api").as_str(),
            "https://acme.halopsa.com/api"
        );
        assert_eq!(dotenv("Not set").as_str(), "'Not set'");
        assert_eq!(dotenv("").as_str(), "''");
        assert_eq!(dotenv("$HOME").as_str(), "'$HOME'");
        assert_eq!(dotenv(TRICKY).as_str(), r#""a'b\"c\$d`e\\f g""#);
    }

    #[test]
    fn powershell_doubles_every_single_quote() {
        assert_eq!(powershell("it's").as_str(), "'it''s'");
        assert_eq!(powershell("a\u{2019}b").as_str(), "'a\u{2019}\u{2019}b'");
        assert_eq!(powershell("$x\"`").as_str(), "'$x\"`'");
    }

    #[test]
    fn every_format_names_each_variable_once_per_line() {
        let vars = [("HALO_TENANT", "Not set"), ("HALO_CLIENT_ID", "abc")];
        let env = render(Format::Env, "h", &vars).unwrap();
        assert_eq!(
            env.as_str(),
            "# h\nexport HALO_TENANT='Not set'\nexport HALO_CLIENT_ID=abc\n"
        );
        let ps = render(Format::Powershell, "h", &vars).unwrap();
        assert_eq!(
            ps.as_str(),
            "# h\n$env:HALO_TENANT = 'Not set'\n$env:HALO_CLIENT_ID = 'abc'\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json, "h", &vars).unwrap()).unwrap();
        assert_eq!(json["HALO_TENANT"], "Not set");
    }

    #[test]
    fn a_nul_is_refused_by_name() {
        let err = render(Format::Dotenv, "h", &[("HALO_CLIENT_ID", "a\0b")]).unwrap_err();
        assert!(err.contains("HALO_CLIENT_ID"), "{err}");
    }
}
