use super::*;
use std::fs;

fn c(root: &str, path: &str) -> Option<Change> {
    classify(Path::new(root), &Path::new(root).join(path))
}

fn content(path: &str) -> Option<Change> {
    Some(Change::Content(Path::new("/s").join(path)))
}

#[test]
fn articles_templates_static_and_config() {
    assert_eq!(
        c("/s", "content/articles/2019/x.md"),
        content("content/articles/2019/x.md")
    );
    assert_eq!(
        c("/s", "templates/base.html"),
        Some(Change::Template("/s/templates/base.html".into()))
    );
    assert_eq!(
        c("/s", "static/css/a.css"),
        Some(Change::Static("/s/static/css/a.css".into()))
    );
    assert_eq!(c("/s", "site.toml"), Some(Change::Config));
    // Arabic names are names like any other.
    assert_eq!(
        c("/s", "content/articles/2020/الناتو-بعد-الجائحة.md"),
        content("content/articles/2020/الناتو-بعد-الجائحة.md")
    );
}

#[test]
fn folders_created_removed_or_renamed_are_changes() {
    // A year folder: all digits, but not one of vim's probe files.
    assert_eq!(
        c("/s", "content/articles/2021"),
        content("content/articles/2021")
    );
    assert_eq!(c("/s", "content"), content("content"));
    assert_eq!(c("/s", "static"), Some(Change::Static("/s/static".into())));
}

#[test]
fn editor_leftovers_and_hidden_files_are_ignored() {
    for name in [
        "content/articles/.x.md.swp",
        "content/articles/.x.md.swx",
        "content/articles/x.md.swp",
        "content/articles/x.md~",
        "content/articles/#x.md#",
        "content/articles/.#x.md",
        "content/articles/4913",
        "content/articles/5036",
        "content/articles/.hidden.md",
        "content/.drafts/x.md",
        "content/articles/x.md.tmp",
        "content/articles/x.md___jb_tmp___",
        "content/articles/x.md.kate-swp",
        "templates/.base.html.swp",
        "static/style.css~",
    ] {
        assert_eq!(c("/s", name), None, "{name}");
    }
}

#[test]
fn paths_outside_the_watched_inputs_are_ignored() {
    for name in [
        "public/index.html",
        ".public.warraq-manifest",
        ".public.warraq-staging-12",
        "README.md",
        "site.toml~",
        "content/../public/x.html",
    ] {
        assert_eq!(c("/s", name), None, "{name}");
    }
    assert_eq!(
        classify(Path::new("/s"), Path::new("/t/content/x.md")),
        None
    );
    assert_eq!(classify(Path::new("/s"), Path::new("/s")), None);
}

#[test]
fn expand_turns_folders_into_their_articles() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let year = root.join("content/articles/2021");
    fs::create_dir_all(&year).unwrap();
    fs::write(year.join("b.md"), "x").unwrap();
    fs::write(year.join("a.md"), "x").unwrap();
    fs::write(year.join(".a.md.swp"), "x").unwrap();
    fs::write(year.join("photo.jpg"), "x").unwrap();
    let gone = root.join("content/articles/2019");
    let got = expand(
        vec![
            Change::Content(year.clone()),
            Change::Content(year.join("a.md")),
            Change::Content(year.join("photo.jpg")),
            Change::Content(gone.clone()),
        ],
        root,
        &root.join("public"),
    );
    assert_eq!(
        got,
        vec![
            Change::Content(year.join("a.md")),
            Change::Content(year.join("b.md")),
            // A removed folder stays a folder: the session drops what was under it.
            Change::Content(gone),
        ]
    );
}

#[test]
fn a_vanished_static_folder_asks_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("public/fonts")).unwrap();
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/a.png"), "x").unwrap();
    let out = root.join("public");
    assert_eq!(
        expand(vec![Change::Static(root.join("static/img"))], root, &out),
        vec![Change::Static(root.join("static/img/a.png"))]
    );
    // A removed file stays a file change; a removed folder is a rebuild.
    assert_eq!(
        expand(vec![Change::Static(root.join("static/a.css"))], root, &out),
        vec![Change::Static(root.join("static/a.css"))]
    );
    assert_eq!(
        expand(
            vec![
                Change::Content(root.join("content/x.md")),
                Change::Static(root.join("static/fonts"))
            ],
            root,
            &out
        ),
        vec![Change::Config]
    );
}

#[test]
fn reads_are_not_changes() {
    use notify::event::{CreateKind, ModifyKind, RemoveKind};
    assert!(!changes_content(&EventKind::Access(AccessKind::Open(
        AccessMode::Any
    ))));
    assert!(!changes_content(&EventKind::Access(AccessKind::Close(
        AccessMode::Read
    ))));
    assert!(changes_content(&EventKind::Access(AccessKind::Close(
        AccessMode::Write
    ))));
    assert!(changes_content(&EventKind::Create(CreateKind::File)));
    assert!(changes_content(&EventKind::Modify(ModifyKind::Any)));
    assert!(changes_content(&EventKind::Remove(RemoveKind::Folder)));
}

/// The real watcher on a real folder: an editor's save by temp file and rename, then
/// a deletion, each arrive as one batch naming the article.
#[test]
fn a_save_by_rename_arrives_as_the_article() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let articles = root.join("content/articles");
    fs::create_dir_all(&articles).unwrap();
    fs::write(root.join("site.toml"), "title = \"x\"\n").unwrap();
    let article = articles.join("x.md");
    fs::write(&article, "old").unwrap();
    let mut w = Watcher::start(&root, &root.join("public")).unwrap();
    let next = |w: &mut Watcher| {
        // Let every event of the step arrive: batches waiting are merged into one.
        std::thread::sleep(Duration::from_millis(100));
        let (tx, rx) = mpsc::channel();
        let stop = w.stopper();
        let guard = std::thread::spawn(move || {
            if rx.recv_timeout(Duration::from_secs(10)).is_err() {
                stop.stop();
            }
        });
        let got = w.wait();
        let _ = tx.send(());
        guard.join().unwrap();
        got
    };
    let tmp = articles.join(".x.md.tmp123");
    fs::write(&tmp, "new").unwrap();
    fs::rename(&tmp, &article).unwrap();
    match next(&mut w) {
        Some(Batch::Changes(c)) => assert_eq!(c, vec![Change::Content(article.clone())]),
        other => panic!("{other:?}"),
    }
    // Vim's way: probe file, original renamed to a backup, new file written, backup
    // removed.
    fs::write(articles.join("4913"), "").unwrap();
    fs::remove_file(articles.join("4913")).unwrap();
    fs::rename(&article, articles.join("x.md~")).unwrap();
    fs::write(&article, "newer").unwrap();
    fs::remove_file(articles.join("x.md~")).unwrap();
    match next(&mut w) {
        Some(Batch::Changes(c)) => assert_eq!(c, vec![Change::Content(article.clone())]),
        other => panic!("{other:?}"),
    }
    fs::remove_file(&article).unwrap();
    match next(&mut w) {
        Some(Batch::Changes(c)) => assert_eq!(c, vec![Change::Content(article.clone())]),
        other => panic!("{other:?}"),
    }
    fs::write(root.join("site.toml"), "title = \"y\"\n").unwrap();
    match next(&mut w) {
        Some(Batch::Changes(c)) => assert_eq!(c, vec![Change::Config]),
        other => panic!("{other:?}"),
    }
    w.stopper().stop();
    assert!(w.wait().is_none());
}
