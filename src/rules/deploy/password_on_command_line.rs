//! DC103 `password-on-command-line`: `--requirepass` or `--masterauth` with a literal value on
//! the command line.

use super::*;
use crate::rules::registry::{Category, Check, FixAvailability, Rule, RuleId};
use crate::rules::Severity;

pub static RULE: Rule = Rule {
    id: RuleId::DC103,
    name: "password-on-command-line",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    hardening: true,
    category: Category::Security,
    summary: r####"`--requirepass` / `--masterauth` with a literal value on the command line"####,
    explanation: r####"Command-line arguments are not secret: they show in `ps` on the host, in `docker inspect`, in
`kubectl get pod -o yaml` and in the orchestrator's API to everyone who may read pods, and the
password sits in the repository. A value from a variable the deployment sets (`${REDIS_PASSWORD}`
from the deployer's environment, a Secret) is not reported here."####,
    example: r####"command: redis-server --requirepass s3cret"####,
    fix_description: r####"None: put the password in a config file or a secret (a mounted file with `requirepass`, or a Secret read by the entrypoint) and rotate it."####,
    references: &[r####"https://docs.docker.com/compose/how-tos/use-secrets/"####],
    check: Check::Stack(passwords_on_command_lines),
};

fn passwords_on_command_lines(ctx: &Context, out: &mut Vec<Finding>) {
    for file in &ctx.stack.deploy.files {
        for deployed in &file.workloads {
            for (span, option) in &deployed.password_options {
                out.push(
                    Finding::new(
                        RuleId::DC103,
                        deployed.file,
                        span.clone(),
                        format!(
                            "`--{option}` of `{}` is a literal on the command line: it shows in `ps`, `docker inspect` and the orchestrator's API, and sits in the repository",
                            crate::syntax::safe_text(&deployed.name)
                        ),
                    )
                    .setting(option.clone()),
                );
            }
        }
    }
}
