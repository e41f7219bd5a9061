//! Each fix a rule emits has the applicability its rule declares (rules.md's "fix" column): over
//! every fixture case, a rule declared `none` offers no fix, `display` only fixes shown, `safe`
//! only safe ones, `unsafe` only unsafe ones, and a rule declared unsafe with a proven-safe case
//! (RD201: every linked client is local) unsafe ones or, in that case, safe ones.

use redline::discovery::{self, DiscoveryOptions};
use redline::fix::Applicability;
use redline::model::redis::LoadOptions;
use redline::rules::{Context, FixAvailability, RuleId};
use redline::source::Sources;
use std::path::PathBuf;

fn allowed(declared: FixAvailability, emitted: Applicability) -> bool {
    match declared {
        FixAvailability::None => false,
        FixAvailability::Display => emitted == Applicability::Display,
        FixAvailability::Safe => emitted == Applicability::Safe,
        FixAvailability::Unsafe => emitted == Applicability::Unsafe,
        FixAvailability::UnsafeOrSafe { .. } => {
            matches!(emitted, Applicability::Unsafe | Applicability::Safe)
        }
    }
}

#[test]
fn emitted_fixes_have_the_declared_applicability() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|rule| std::fs::read_dir(rule.unwrap().path()).unwrap())
        .map(|case| case.unwrap().path())
        .collect();
    cases.sort();
    let mut wrong = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for case in &cases {
        let mut sources = Sources::new();
        let found = discovery::discover(
            std::slice::from_ref(case),
            &DiscoveryOptions::default(),
            &mut sources,
        )
        .unwrap();
        // The rules' own fixes, before the engine shows blocked ones as display-only.
        let stack = redline::stack::build(
            &mut sources,
            &found.roots,
            &LoadOptions::default(),
            &[],
            &[],
        );
        let ctx = Context {
            sources: &sources,
            stack: &stack,
            redis_version: None,
        };
        let findings = redline::rules::run(&ctx, &|_| true);
        for f in &findings {
            let Some(fix) = &f.fix else { continue };
            let declared = RuleId::parse(f.rule).unwrap().rule().fix;
            seen.insert((f.rule, format!("{:?}", fix.applicability)));
            if !allowed(declared, fix.applicability) {
                wrong.push(format!(
                    "{}: {} declares `{}` and emits a {:?} fix `{}`",
                    case.strip_prefix(&root).unwrap().display(),
                    f.rule,
                    declared.as_str(),
                    fix.applicability,
                    fix.description
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    // The fixtures exercise fixes of every kind, so the test can fail.
    for kind in ["Safe", "Unsafe", "Display"] {
        assert!(seen.iter().any(|(_, k)| k == kind), "no {kind} fix seen");
    }
}
