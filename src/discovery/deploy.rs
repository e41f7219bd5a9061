//! How compose files and Kubernetes manifests are recognised: compose files by name (as
//! `docker compose` looks them up), manifests by content (any YAML document with `apiVersion`
//! and `kind` at its top level), since their names are free.

/// `docker-compose*.y{a,}ml` or `compose*.y{a,}ml` (lower-cased name).
pub fn compose_name(lower: &str) -> bool {
    yaml_name(lower) && (lower.starts_with("docker-compose") || lower.starts_with("compose"))
}

/// A `.yml` or `.yaml` file (lower-cased name).
pub fn yaml_name(lower: &str) -> bool {
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

/// Whether the first bytes of a YAML file read as a Kubernetes manifest: top-level `apiVersion:`
/// and `kind:` keys. A Helm template (`{{ ... }}`) is not YAML until Helm renders it: not read.
pub fn reads_as_kubernetes(head: &[u8]) -> bool {
    if head.windows(2).any(|w| w == b"{{") {
        return false;
    }
    let (mut api, mut kind) = (false, false);
    for line in head.split(|&b| b == b'\n') {
        if line.starts_with(b"---") {
            if api && kind {
                return true;
            }
            (api, kind) = (false, false);
        }
        api |= line.starts_with(b"apiVersion:");
        kind |= line.starts_with(b"kind:");
    }
    api && kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_content() {
        assert!(compose_name("docker-compose.yml"));
        assert!(compose_name("docker-compose.override.yaml"));
        assert!(compose_name("compose.prod.yaml"));
        assert!(!compose_name("composer.json"));
        assert!(!compose_name("values.yaml"));
        assert!(reads_as_kubernetes(b"apiVersion: v1\nkind: ConfigMap\n"));
        assert!(reads_as_kubernetes(
            b"# x\n---\nkind: Service\napiVersion: v1\n"
        ));
        assert!(!reads_as_kubernetes(b"apiVersion: v2\nname: chart\n"));
        assert!(!reads_as_kubernetes(
            b"apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"
        ));
    }
}
