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
            Format::Dotenv => dotenv(name, value)?,
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

/// A dotenv value that every reader takes back as it was: `set -a; . ./.env` in sh and bash,
/// docker compose, python-dotenv and dotenvy. Bare when only URL-safe characters; else
/// single-quoted (literal everywhere, and python-dotenv turns only `\\` and `\'` back, so a
/// backslash before another or at the end rules it out); else double-quoted with `\` and `"`
/// escaped, which only a value with no `$` and no backtick can be (a shell expands them inside
/// double quotes, and python-dotenv keeps a backslash before them). What is left cannot be
/// written the same for all of them, nor can `${`, which python-dotenv expands in any quotes.
fn dotenv(name: &str, value: &str) -> Result<Zeroizing<String>, String> {
    let bare = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+,~".contains(c));
    if bare {
        return Ok(Zeroizing::new(value.to_string()));
    }
    let other_formats = "use --format env for a shell, or --format json";
    if value.contains("${") {
        return Err(format!(
            "{name} holds `${{`, which python-dotenv expands inside any quotes; {other_formats}"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "{name} holds a control character, which a dotenv file cannot carry; {other_formats}"
        ));
    }
    let chars: Vec<char> = value.chars().collect();
    let backslash_ok = chars.iter().enumerate().all(|(i, &c)| {
        c != '\\' || matches!(chars.get(i + 1), Some(n) if *n != '\\' && *n != '\'')
    });
    if !value.contains('\'') && backslash_ok {
        return Ok(Zeroizing::new(format!("'{value}'")));
    }
    if !value.contains('$') && !value.contains('`') {
        let mut s = Zeroizing::new(String::from("\""));
        for c in value.chars() {
            if matches!(c, '\\' | '"') {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        return Ok(s);
    }
    Err(format!(
        "{name} holds a single quote or a doubled backslash together with `$` or a backtick, which no dotenv quoting reads back the same in a shell and in python-dotenv; {other_formats}"
    ))
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
        let q = |v: &str| dotenv("V", v).map(|s| s.to_string());
        assert_eq!(
            q("https://acme.halopsa.com/api").unwrap(),
            "https://acme.halopsa.com/api"
        );
        assert_eq!(q("Not set").unwrap(), "'Not set'");
        assert_eq!(q("").unwrap(), "''");
        assert_eq!(q("$HOME").unwrap(), "'$HOME'");
        assert_eq!(q("a`b`").unwrap(), "'a`b`'");
        assert_eq!(q("a\\$b").unwrap(), "'a\\$b'");
        assert_eq!(q("o'brien").unwrap(), "\"o'brien\"");
        assert_eq!(q("a\\\\b\"c").unwrap(), "\"a\\\\\\\\b\\\"c\"");
        assert_eq!(q("ends\\").unwrap(), "\"ends\\\\\"");
    }

    #[test]
    fn dotenv_refuses_what_no_quoting_reads_back_alike() {
        for v in [TRICKY, "a${HOME}", "it's $x", "it's `x`", "a\nb"] {
            let e = dotenv("HALO_CLIENT_ID", v).unwrap_err();
            assert!(
                e.contains("HALO_CLIENT_ID") && e.contains("--format env"),
                "{v:?}: {e}"
            );
        }
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
