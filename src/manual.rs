//! `redline man`: one manual page (roff, man(7) macros) with every subcommand and its options,
//! the exit codes, the environment and the files redline reads. One page because redline
//! installs one: a `SEE ALSO redline-check(1)` would name pages that do not exist.

use clap::{Arg, ArgAction, Command};
use std::fmt::Write as _;

/// Text for roff: backslashes and hyphens escaped, and no line starting with a control character
/// (`.` or `'`), which roff would read as a request.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push('\n');
        }
        if line.starts_with('.') || line.starts_with('\'') {
            out.push_str("\\&");
        }
        for c in line.chars() {
            match c {
                '\\' => out.push_str("\\e"),
                '-' => out.push_str("\\-"),
                _ => out.push(c),
            }
        }
    }
    out
}

fn bold(text: &str) -> String {
    format!("\\fB{}\\fR", escape(text))
}

fn italic(text: &str) -> String {
    format!("\\fI{}\\fR", escape(text))
}

/// The names of an option as a `.TP` tag: `\fB\-q\fR, \fB\-\-quiet\fR \fIFILE\fR`.
fn option_tag(arg: &Arg) -> String {
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(bold(&format!("-{short}")));
    }
    if let Some(long) = arg.get_long() {
        names.push(bold(&format!("--{long}")));
    }
    let mut tag = names.join(", ");
    if arg.get_action().takes_values() {
        let value = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(|| arg.get_id().as_str().to_uppercase(), |n| n.to_string());
        let _ = write!(tag, " {}", italic(&value));
    }
    tag
}

/// An option's help, then its values and default when the help does not already say them.
fn option_body(arg: &Arg) -> String {
    let mut body = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    // clap's help lines have no final stop; what follows is sentences.
    if !body.is_empty() && !body.ends_with('.') {
        body.push('.');
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        let _ = write!(body, " One of: {}.", values.join(", "));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !matches!(arg.get_action(), ArgAction::SetTrue) {
        let _ = write!(body, " Default: {}.", defaults.join(", "));
    }
    if matches!(arg.get_action(), ArgAction::Append) {
        body.push_str(" Repeatable.");
    }
    escape(&body)
}

/// `redline check [OPTIONS] [PATHS]...`: the synopsis of a subcommand.
fn synopsis(name: &str, command: &Command) -> String {
    let mut line = format!("{} {}", bold("redline"), bold(name));
    if command.get_arguments().any(|a| !a.is_positional()) {
        line.push_str(" [\\fIOPTIONS\\fR]");
    }
    for arg in command.get_arguments().filter(|a| a.is_positional()) {
        let value = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(|| arg.get_id().as_str().to_uppercase(), |n| n.to_string());
        let many = matches!(arg.get_action(), ArgAction::Append);
        let text = format!("{}{}", italic(&value), if many { "..." } else { "" });
        if arg.is_required_set() {
            let _ = write!(line, " {text}");
        } else {
            let _ = write!(line, " [{text}]");
        }
    }
    line
}

const EXIT_STATUS: [(&str, &str); 3] = [
    (
        "0",
        "Nothing at or above --fail-on was found. For fix: the fixes were written without error, \
         or a dry run has nothing to change.",
    ),
    (
        "1",
        "Findings at or above --fail-on (default: warning). For fix: a dry run would change \
         something, or findings at or above --fail-on remain after writing.",
    ),
    (
        "2",
        "The run itself failed: bad usage, a PATH that does not exist or cannot be read, a bad \
         redline.toml, a write that failed. The message names the file and why. A config file \
         that cannot be parsed is not exit 2: it is a *001 finding, and every other file is \
         still audited.",
    ),
];

const FILES: [(&str, &str); 4] = [
    (
        "redline.toml",
        "Settings (fail-on, select, ignore, exclude, [severity], [per-file-ignores], \
         [[instance]], [environments], [target], allow-read): the one in the current folder or \
         the nearest parent, unless --config FILE or --no-config. Never followed through a \
         symbolic link.",
    ),
    (
        ".gitignore, .ignore, .redlineignore",
        "Honoured in the folders walked (gitignore syntax; in one folder .ignore overrides \
         .gitignore and .redlineignore overrides both; a deeper folder's file overrides its \
         parents'), unless --no-ignore. Those above a PATH are not read. A file named as a PATH \
         is always audited. What they kept out is counted on standard error.",
    ),
    (
        ".redline-output",
        "Written by fix --output-dir in its folder; a folder holding it is not walked.",
    ),
    (
        "The audited configs",
        "redis.conf and its includes and ACL file, sentinel.conf, php.ini and conf.d/*.ini, \
         Laravel .env and config/{database,session,cache}.php, Django settings modules, \
         Express apps (package.json, the modules that use express-session and the relative \
         modules they import, the .env dotenv loads): read only inside the audited tree (each \
         PATH, --root, --allow-read).",
    ),
];

const ENVIRONMENT: [(&str, &str); 2] = [
    (
        "NO_COLOR",
        "When set and not empty, no colour on a terminal (unless --color always).",
    ),
    (
        "FORCE_COLOR, CLICOLOR_FORCE",
        "When set and not 0, colour as with --color always (unless --color never).",
    ),
];

fn tagged_paragraphs(out: &mut String, items: &[(&str, &str)]) {
    for (tag, text) in items {
        let _ = writeln!(out, ".TP\n{}\n{}", bold(tag), escape(text));
    }
}

/// The manual page of `command` (redline's clap command) as one roff document.
pub fn render(command: &Command) -> String {
    let mut command = command.clone();
    command.build();
    let mut out = String::new();
    let version = command.get_version().unwrap_or_default().to_string();
    let about = command
        .get_about()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        ".TH REDLINE 1 \"\" \"redline {}\" \"User Commands\"",
        escape(&version)
    );
    // No hyphenation, ragged right: option names and paths stay whole.
    let _ = writeln!(out, ".nh\n.ad l");
    let _ = writeln!(out, ".SH NAME\nredline \\- {}", escape(&about));
    let _ = writeln!(out, ".SH SYNOPSIS");
    let commands: Vec<&Command> = command
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .collect();
    for sub in &commands {
        let _ = writeln!(out, "{}\n.br", synopsis(sub.get_name(), sub));
    }
    let _ = writeln!(
        out,
        ".SH DESCRIPTION\n{}\n.PP\n{}",
        escape(&format!("{about}.")),
        escape(
            "redline discovers the config files of a Redis-backed session store under each PATH \
             (redis.conf, sentinel.conf, php.ini, Laravel, Django), audits them as one stack, \
             and prints findings; fix computes and applies the fixes. Every option of every \
             command is below."
        )
    );
    let _ = writeln!(out, ".SH GLOBAL OPTIONS");
    for arg in command
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
    {
        let _ = writeln!(out, ".TP\n{}\n{}", option_tag(arg), option_body(arg));
    }
    let _ = writeln!(out, ".SH COMMANDS");
    for sub in &commands {
        let _ = writeln!(
            out,
            ".SS \"{}\"",
            escape(&format!("redline {}", sub.get_name()))
        );
        let _ = writeln!(out, "{}", synopsis(sub.get_name(), sub));
        let text = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        let _ = writeln!(out, ".PP\n{}", escape(&text));
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            let tag = if arg.is_positional() {
                let value = arg
                    .get_value_names()
                    .and_then(|names| names.first())
                    .map_or_else(|| arg.get_id().as_str().to_uppercase(), |n| n.to_string());
                italic(&value)
            } else {
                option_tag(arg)
            };
            let _ = writeln!(out, ".TP\n{tag}\n{}", option_body(arg));
        }
    }
    let _ = writeln!(out, ".SH EXIT STATUS");
    tagged_paragraphs(&mut out, &EXIT_STATUS);
    let _ = writeln!(out, ".SH ENVIRONMENT");
    tagged_paragraphs(&mut out, &ENVIRONMENT);
    let _ = writeln!(out, ".SH FILES");
    tagged_paragraphs(&mut out, &FILES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_requests_and_escapes_cannot_come_from_text() {
        assert_eq!(escape(".TH x\n'y"), "\\&.TH x\n\\&'y");
        assert_eq!(escape("a\\b --c"), "a\\eb \\-\\-c");
    }
}
