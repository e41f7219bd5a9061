//! PHP001 `invalid-ini-line`: A line the Zend INI scanner rejects.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::PHP001,
    name: "invalid-ini-line",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    hardening: false,
    category: Category::Syntax,
    summary: r####"A line the Zend INI scanner rejects"####,
    explanation: r####"PHP reads php.ini with the Zend INI scanner and stops at the first syntax error, keeping only what
came before: every later setting of that file silently keeps PHP's default. The usual causes are
an unquoted value holding `=` (a session.save_path with `?auth=...`), an unterminated double
quote, or a word such as `on`, `no` or `none` inside an unquoted value (the scanner reads it as a
boolean). PHP prints the error once at startup, where nobody looks. A `'` in a value that no later
`'` closes is worse: PHP keeps the value read before it and ignores the rest of the file without
printing anything (`session.name = O'Brien`)."####,
    example: r####"session.save_path = tcp://10.0.0.5:6379?auth=secret   <- unexpected '='"####,
    fix_description: r####"Safe: put the value in double quotes, when that reads back the same (no quote, `;`, `$` or backslash in it)."####,
    references: &[
        r####"https://www.php.net/manual/en/function.parse-ini-file.php"####,
        r####"https://github.com/php/php-src/blob/master/Zend/zend_ini_scanner.l"####,
    ],
    check: Check::Php(syntax_errors),
};

fn syntax_errors(ctx: &Context, php: &PhpConfig, _whole: bool, out: &mut Vec<Finding>) {
    for (file, error) in &php.errors {
        let quote = |range: Range<usize>| {
            // Quoting lossy text would rewrite the bytes that are not UTF-8: no fix then.
            let text = std::str::from_utf8(&ctx.sources.doc(*file).bytes()[range.clone()]).ok()?;
            crate::syntax::ini::quote(text).map(|quoted| fix::replace(*file, range, quoted))
        };
        let fix = error.quotable.clone().and_then(quote).map(|first| {
            // The errors PHP would stop at next are quoted by the same fix, up to the first
            // that cannot be: one pass repairs them all.
            let mut edits = vec![first];
            edits.extend(
                php.quotable_after
                    .iter()
                    .filter(|(f, _)| f == file)
                    .map_while(|(_, next)| next.quotable.clone().and_then(quote)),
            );
            let description = match edits.len() - 1 {
                0 => "quote the value".to_string(),
                more => format!(
                    "quote the value, and the {more} value{} after it PHP would stop at next",
                    if more == 1 { "" } else { "s" }
                ),
            };
            Fix::new(Applicability::Safe, description, edits)
        });
        let message = format!(
            "{}: PHP stops reading this file here, so every setting after this line is ignored",
            error.message
        );
        out.push(Finding::new(RuleId::PHP001, *file, error.span.clone(), message).with_fix(fix));
    }
}
