use super::*;

#[test]
fn unchanged_files_keep_their_inode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("a/index.html", b"one").unwrap();
    s.commit(None).unwrap();
    let before = fs::metadata(out.join("a/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("a/index.html", b"one").unwrap();
    s.write("b.xml", b"two").unwrap();
    let stats = s.commit(None).unwrap().stats;
    assert_eq!((stats.written, stats.unchanged), (1, 1));
    assert_eq!(
        fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    assert_eq!(fs::read(out.join("b.xml")).unwrap(), b"two");
    // No staging debris: the output and its lock.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn folders_are_made_at_any_depth_and_a_file_in_the_way_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("tags/وسم/page/2/index.html", b"deep").unwrap();
    s.write("tags/وسم/page/3/index.html", b"beside").unwrap();
    s.write("tags/وسم/index.html", b"above").unwrap();
    s.write("atom.xml", b"feed").unwrap();
    let e = s.write("atom.xml/page/2/index.html", b"x").unwrap_err();
    assert!(format!("{e}").contains("atom.xml"), "{e}");
    s.commit(None).unwrap();
    assert_eq!(
        fs::read(out.join("tags/وسم/page/2/index.html")).unwrap(),
        b"deep"
    );
    assert_eq!(
        fs::read(out.join("tags/وسم/page/3/index.html")).unwrap(),
        b"beside"
    );
    assert_eq!(fs::read(out.join("tags/وسم/index.html")).unwrap(), b"above");
}

#[test]
fn one_file_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("a/index.html", b"one").unwrap();
    s.commit(None).unwrap();
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("a/index.html", b"one").unwrap();
    assert!(s.write("a/index.html", b"one").is_err(), "as a hard link");
    s.write("b.xml", b"two").unwrap();
    assert!(s.write("b.xml", b"three").is_err(), "as a new file");
}

#[test]
fn dropped_staging_leaves_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("index.html", b"old").unwrap();
    s.commit(None).unwrap();
    let s = Staging::create(&out, &Lock::acquire(&out).unwrap()).unwrap();
    s.write("index.html", b"new").unwrap();
    drop(s);
    assert_eq!(fs::read(out.join("index.html")).unwrap(), b"old");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}
