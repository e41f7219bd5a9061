//! The write path under failure: whatever fails, every original stays as it was and the error
//! names the file.

mod common;

use common::FailingFs;
use redline::fix::write::{write_all, PlannedWrite, RealFs};
use std::path::Path;

fn setup() -> (tempfile::TempDir, Vec<PlannedWrite>) {
    let dir = tempfile::tempdir().unwrap();
    let mut plans = Vec::new();
    for name in ["a.conf", "b.conf", "c.conf"] {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("old {name}\n")).unwrap();
        plans.push(PlannedWrite {
            path,
            contents: format!("new {name}\n").into_bytes(),
            expected: Some(format!("old {name}\n").into_bytes()),
            like: None,
        });
    }
    (dir, plans)
}

fn assert_untouched(dir: &Path) {
    for name in ["a.conf", "b.conf", "c.conf"] {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap(),
            format!("old {name}\n"),
            "{name}"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("redline"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_full_disk_writes_nothing() {
    let (dir, plans) = setup();
    let mut fs = FailingFs {
        fail_write_at: Some(2),
        fail_rename_at: None,
        writes: 0,
        renames: 0,
    };
    let err = write_all(&plans, &mut fs).unwrap_err();
    assert!(
        err.to_string().contains("b.conf") && err.to_string().contains("No space left"),
        "{err}"
    );
    assert_eq!(
        fs.renames, 0,
        "nothing is renamed before every file is staged"
    );
    assert_untouched(dir.path());
}

#[test]
fn a_failed_rename_rolls_back_the_files_already_replaced() {
    let (dir, plans) = setup();
    let mut fs = FailingFs {
        fail_write_at: None,
        fail_rename_at: Some(3),
        writes: 0,
        renames: 0,
    };
    let err = write_all(&plans, &mut fs).unwrap_err();
    assert!(
        err.to_string().contains("c.conf") && err.to_string().contains("rename refused"),
        "{err}"
    );
    assert_untouched(dir.path());
}

#[test]
fn every_write_succeeds_together() {
    let (dir, plans) = setup();
    write_all(&plans, &mut RealFs).unwrap();
    for name in ["a.conf", "b.conf", "c.conf"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            format!("new {name}\n")
        );
    }
}
