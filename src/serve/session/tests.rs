use super::*;
use std::fs;

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

fn fixture() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/site"), dir.path());
    let mut s = Session::new(dir.path(), BuildOptions::default()).unwrap();
    s.rebuild().unwrap();
    (dir, s)
}

fn article(dir: &Path, name: &str) -> PathBuf {
    walkdir::WalkDir::new(dir.join("content"))
        .into_iter()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().contains(name))
        .unwrap()
        .into_path()
}

#[test]
fn an_edit_rerenders_only_what_shows_it() {
    let (dir, mut s) = fixture();
    let path = article(dir.path(), "الناتو");
    // A new last paragraph: the summary (the first paragraph) shown in lists stays.
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text + "\nفقرة أخيرة جديدة.\n").unwrap();
    let u = s.apply(&[Change::Content(path)]).unwrap();
    // The site feed carries full text; lists carry the unchanged summary.
    let mut changed = u.changed.clone();
    changed.sort();
    assert_eq!(
        changed,
        vec!["articles/الناتو-بعد-الجائحة/index.html", "atom.xml"],
        "{u:?}"
    );
    let html =
        fs::read_to_string(s.output().join("articles/الناتو-بعد-الجائحة/index.html")).unwrap();
    assert!(html.contains("فقرة أخيرة جديدة."));
    // Its page and the lists and feeds that show it; not the whole site.
    let total = walkdir::WalkDir::new(s.output()).into_iter().count();
    assert!(u.rendered > 1 && u.rendered < total / 3, "{u:?}");
}

#[test]
fn a_removed_tag_leaves_its_term_page() {
    let (dir, mut s) = fixture();
    let path = article(dir.path(), "الناتو");
    // Four articles, two a page numbered from the oldest: the first page and page 1.
    let page_1 = s.output().join("tags/السياسة/page/1/index.html");
    let before = fs::read_to_string(s.output().join("tags/السياسة/index.html")).unwrap()
        + &fs::read_to_string(&page_1).unwrap();
    assert!(before.contains("الناتو بعد الجائحة"));
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("الســياسة", "الدفاع")).unwrap();
    let u = s.apply(&[Change::Content(path)]).unwrap();
    let after = fs::read_to_string(s.output().join("tags/السياسة/index.html")).unwrap();
    assert!(!after.contains("الناتو بعد الجائحة"), "{u:?}");
    // Four articles became three: all on the first page, and page 1 is gone.
    assert!(after.contains("الاتفاق النووي"));
    assert!(!page_1.exists(), "{u:?}");
    assert!(s.output().join("tags/الدفاع/index.html").exists());
}

#[test]
fn a_broken_file_keeps_the_last_good_output_until_fixed() {
    let (dir, mut s) = fixture();
    let path = article(dir.path(), "الناتو");
    let good = fs::read_to_string(&path).unwrap();
    let page = s.output().join("articles/الناتو-بعد-الجائحة/index.html");
    let served = fs::read(&page).unwrap();
    fs::write(
        &path,
        good.replacen("title: ", "title: \"unclosed\ntitlex: ", 1),
    )
    .unwrap();
    let e = s.apply(&[Change::Content(path.clone())]).unwrap_err();
    let failed = e.downcast_ref::<BuildFailed>().unwrap();
    assert!(failed.diagnostics[0]
        .path
        .ends_with(path.file_name().unwrap()));
    assert!(failed.diagnostics[0].line.is_some());
    assert_eq!(fs::read(&page).unwrap(), served);
    // Another file changing does not forget the broken one.
    let other = article(dir.path(), "روسيا");
    assert!(s.apply(&[Change::Content(other)]).is_err());
    fs::write(&path, &good).unwrap();
    s.apply(&[Change::Content(path)]).unwrap();
}

/// A symlink out of the site made while the server runs (a `git pull` can make one)
/// is held to the rule `build` applies: reported, never read, its text published
/// nowhere; removing it clears the error.
#[test]
fn a_symlink_out_of_the_site_made_while_serving_is_never_read() {
    let (dir, mut s) = fixture();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    fs::write(
        &secret,
        "---\ntitle: سر\ndate: 2020-01-01\n---\nكلمة-سرية-جدا\n",
    )
    .unwrap();
    fs::write(outside.path().join("key.txt"), "مفتاح-سري").unwrap();
    let link = dir.path().join("content/articles/2020/secret.md");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let e = s.apply(&[Change::Content(link.clone())]).unwrap_err();
    assert!(e.to_string().contains("outside the site"), "{e}");
    // An article that was there, replaced by a link: its page goes on being the old.
    let path = article(dir.path(), "الناتو");
    fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&secret, &path).unwrap();
    assert!(s.apply(&[Change::Content(path.clone())]).is_err());
    let static_link = dir.path().join("static/key.txt");
    fs::create_dir_all(static_link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(outside.path().join("key.txt"), &static_link).unwrap();
    assert!(s.apply(&[Change::Static(static_link.clone())]).is_err());
    for (_, bytes) in walkdir::WalkDir::new(s.output())
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), fs::read(e.path()).unwrap()))
    {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("كلمة-سرية-جدا") && !text.contains("مفتاح-سري"));
    }
    fs::remove_file(&link).unwrap();
    fs::remove_file(&static_link).unwrap();
    fs::remove_file(&path).unwrap();
    s.apply(&[
        Change::Content(link),
        Change::Content(path),
        Change::Static(static_link),
    ])
    .unwrap();
}

#[test]
fn a_deleted_article_disappears_everywhere() {
    let (dir, mut s) = fixture();
    let path = article(dir.path(), "روسيا");
    fs::remove_file(&path).unwrap();
    let u = s.apply(&[Change::Content(path)]).unwrap();
    assert!(!s
        .output()
        .join("articles/روسيا-في-الفناء-الخلفي-لواشنطن/index.html")
        .exists());
    assert!(u
        .changed
        .iter()
        .any(|f| f == "articles/روسيا-في-الفناء-الخلفي-لواشنطن/index.html"));
    let tag = fs::read_to_string(s.output().join("tags/روسيا/index.html")).unwrap();
    assert!(!tag.contains("روسيا-في-الفناء-الخلفي-لواشنطن"));
}

#[test]
fn a_broken_template_stays_broken_until_fixed() {
    let (dir, mut s) = fixture();
    let template = dir.path().join("templates/article.html");
    fs::create_dir_all(template.parent().unwrap()).unwrap();
    fs::write(&template, "{% if %}").unwrap();
    assert!(s.apply(&[Change::Template(template.clone())]).is_err());
    // An article edit alone must not render with the old template and report success.
    let path = article(dir.path(), "الناتو");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text + "\nفقرة.\n").unwrap();
    assert!(s.apply(&[Change::Content(path.clone())]).is_err());
    fs::write(&template, "<p>{{ page.title }}</p>").unwrap();
    s.apply(&[Change::Template(template)]).unwrap();
    let html =
        fs::read_to_string(s.output().join("articles/الناتو-بعد-الجائحة/index.html")).unwrap();
    assert!(html.starts_with("<p>الناتو بعد الجائحة"), "{html}");
}

/// An article edit that came with a broken template is applied once the template
/// alone is fixed: the site held is assembled from the edited pages, not kept.
#[test]
fn an_edit_that_failed_with_a_template_is_applied_when_the_template_is_fixed() {
    let (dir, mut s) = fixture();
    let template = dir.path().join("templates/article.html");
    fs::create_dir_all(template.parent().unwrap()).unwrap();
    let path = article(dir.path(), "الناتو");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replacen("الناتو بعد الجائحة", "عنوان جديد للناتو", 1),
    )
    .unwrap();
    fs::write(&template, "{% if %}").unwrap();
    assert!(s
        .apply(&[Change::Content(path), Change::Template(template.clone())])
        .is_err());
    fs::write(&template, "<p>{{ page.title }}</p>").unwrap();
    s.apply(&[Change::Template(template)]).unwrap();
    let home = fs::read_to_string(s.output().join("index.html")).unwrap();
    assert!(
        home.contains("عنوان جديد للناتو"),
        "the lists show the new title"
    );
}

#[test]
fn a_template_change_waits_for_a_broken_article() {
    let (dir, mut s) = fixture();
    let path = article(dir.path(), "الناتو");
    let good = fs::read_to_string(&path).unwrap();
    fs::write(&path, good.replacen("title: ", "title: [", 1)).unwrap();
    let template = dir.path().join("templates/article.html");
    fs::create_dir_all(template.parent().unwrap()).unwrap();
    fs::write(&template, "<p>{{ page.title }}</p>").unwrap();
    let both = [Change::Content(path.clone()), Change::Template(template)];
    assert!(s.apply(&both).is_err());
    // Fixing the article applies the template change that waited.
    fs::write(&path, &good).unwrap();
    s.apply(&[Change::Content(path)]).unwrap();
    let html =
        fs::read_to_string(s.output().join("articles/الناتو-بعد-الجائحة/index.html")).unwrap();
    assert!(html.starts_with("<p>الناتو بعد الجائحة"), "{html}");
}

fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn edits_in_place_give_what_a_full_build_gives() {
    let (dir, mut s) = fixture();
    // Body edits (the fast path), a summary edit (lists change), then one that moves
    // the article (a new date: the full path), then a body edit again.
    let path = article(dir.path(), "الناتو");
    let text = fs::read_to_string(&path).unwrap();
    let steps = [
        text.clone() + "\nفقرة أخيرة.\n",
        text.replacen("\n\n", "\n\nجملة أولى جديدة. ", 1),
        text.replacen("date: 2020", "date: 2017", 1),
        text.replacen("date: 2020", "date: 2017", 1) + "\nوأخرى.\n",
    ];
    for step in steps {
        fs::write(&path, step).unwrap();
        s.apply(&[Change::Content(path.clone())]).unwrap();
        // The search index is deferred while editing (see SearchState).
        s.refresh_search().unwrap();
        assert_same_as_a_build(dir.path(), &s);
    }
}

/// A deleted article leaves the index at the next refresh, as an edited one is indexed
/// again: deletion marks the index stale too.
#[test]
fn a_deleted_article_leaves_the_search_index() {
    let (dir, mut s) = fixture();
    let path = article(dir.path(), "الناتو");
    fs::remove_file(&path).unwrap();
    s.apply(&[Change::Content(path)]).unwrap();
    assert!(s.search_is_stale());
    s.refresh_search().unwrap();
    assert_same_as_a_build(dir.path(), &s);
}

/// The session's output is what a build of the site at `root` writes.
fn assert_same_as_a_build(root: &Path, s: &Session) {
    let other = tempfile::tempdir().unwrap();
    let opts = BuildOptions {
        output: Some(other.path().join("out")),
        ..BuildOptions::default()
    };
    crate::build::build(root, &opts).unwrap();
    assert_eq!(tree(s.output()), tree(&other.path().join("out")));
}

#[test]
fn css_only_changes_are_marked() {
    let (dir, mut s) = fixture();
    fs::create_dir_all(dir.path().join("static")).unwrap();
    let css = dir.path().join("static/extra.css");
    fs::write(&css, "body{}").unwrap();
    let u = s.apply(&[Change::Static(css)]).unwrap();
    assert!(u.css_only);
    assert_eq!(u.changed, vec!["extra.css".to_owned()]);
}

mod link_tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_changed_slug_updates_links_written_as_md_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content/articles/2019")).unwrap();
        fs::write(root.join("site.toml"), "title = \"t\"\n").unwrap();
        let a = root.join("content/articles/2019/a.md");
        let b = root.join("content/articles/2019/b.md");
        fs::write(&a, "---\ntitle: أ\ndate: 2019-01-01\n---\n[ب](b.md)\n").unwrap();
        fs::write(&b, "---\ntitle: ب\ndate: 2019-01-02\n---\nنص\n").unwrap();
        let mut s = Session::new(root, BuildOptions::default()).unwrap();
        s.rebuild().unwrap();
        let page_a = s.output().join("articles/a/index.html");
        assert!(fs::read_to_string(&page_a)
            .unwrap()
            .contains("href=\"/articles/b/\""));
        fs::write(&b, "---\ntitle: ب\ndate: 2019-01-02\nslug: جديد\n---\nنص\n").unwrap();
        s.apply(&[Change::Content(b)]).unwrap();
        let html = fs::read_to_string(&page_a).unwrap();
        assert!(
            html.contains("/articles/%D8%AC%D8%AF%D9%8A%D8%AF/")
                || html.contains("/articles/جديد/"),
            "{html}"
        );
    }
}

mod fault_tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_dangling_static_link_does_not_stop_an_article_edit_in_the_same_batch() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content/articles")).unwrap();
        fs::create_dir_all(root.join("static")).unwrap();
        fs::write(root.join("site.toml"), "title = \"t\"\n").unwrap();
        let article = root.join("content/articles/a.md");
        fs::write(&article, "---\ntitle: أ\ndate: 2019-01-01\n---\nأول\n").unwrap();
        let mut s = Session::new(root, BuildOptions::default()).unwrap();
        s.rebuild().unwrap();
        fs::write(&article, "---\ntitle: أ\ndate: 2019-01-01\n---\nثان\n").unwrap();
        let gone = root.join("static/gone.css");
        std::os::unix::fs::symlink("/nonexistent/target", &gone).unwrap();
        s.apply(&[Change::Static(gone), Change::Content(article)])
            .unwrap();
        let page = fs::read_to_string(s.output().join("articles/a/index.html")).unwrap();
        assert!(page.contains("ثان"), "{page}");
    }
}

#[test]
fn a_page_is_served_before_its_photos_are_encoded_and_a_changed_photo_is_renamed() {
    let (dir, mut s) = fixture();
    let folder = dir.path().join("content/articles/2021/صورة");
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("p.jpg"), crate::photos::test_jpeg(600, 400)).unwrap();
    let index = folder.join("index.md");
    fs::write(
        &index,
        "---\ntitle: \"صورة\"\ndate: 2021-01-02\n---\n![صورة](p.jpg)\n",
    )
    .unwrap();
    s.apply(&[Change::Content(index.clone())]).unwrap();
    let output = s.output().to_path_buf();
    let page = || fs::read_to_string(output.join("articles/صورة/index.html")).unwrap();
    let published = |s: &Session| -> Vec<String> {
        fs::read_dir(s.output().join("photos"))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let first = page();
    assert!(first.contains("/photos/p.480."), "{first}");
    // The page is there; its photo files wait for encoding.
    assert!(s.photos_pending());
    assert!(published(&s).is_empty());
    let u = s.publish_pending().unwrap();
    assert!(!s.photos_pending());
    let names = published(&s);
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().all(|n| first.contains(n.as_str())));
    assert_eq!(u.changed.len(), 4, "{u:?}");
    // Another photo under the same name: the page shows its new files.
    fs::write(folder.join("p.jpg"), crate::photos::test_jpeg(500, 400)).unwrap();
    s.apply(&[Change::Content(folder.join("p.jpg"))]).unwrap();
    s.publish_pending().unwrap();
    let second = page();
    assert!(
        names.iter().all(|n| !second.contains(n.as_str())),
        "{second}"
    );
    assert!(
        published(&s)
            .iter()
            .filter(|n| second.contains(n.as_str()))
            .count()
            == 4
    );
    // A photo that goes missing is the article's problem, shown until it is back.
    fs::remove_file(folder.join("p.jpg")).unwrap();
    let gone = s.apply(&[Change::Content(folder.join("p.jpg"))]);
    assert!(format!("{:#}", gone.unwrap_err()).contains("not found"));
    fs::write(folder.join("p.jpg"), crate::photos::test_jpeg(500, 400)).unwrap();
    s.apply(&[Change::Content(folder.join("p.jpg"))]).unwrap();
    s.publish_pending().unwrap();
    let back = page();
    assert!(back.contains("/photos/p.480."), "{back}");
    assert!(
        published(&s)
            .iter()
            .filter(|n| back.contains(n.as_str()))
            .count()
            == 4
    );
}

/// Related lists are part of each article's key: an edit that gives an article a tag
/// re-renders the articles whose related list now holds it, and no other article.
#[test]
fn an_edit_rerenders_the_articles_whose_related_list_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("site.toml"), "title = \"t\"\nsearch = false\n").unwrap();
    fs::create_dir_all(root.join("content/articles/2020")).unwrap();
    let write = |name: &str, day: u32, tag: &str| {
        let path = root.join(format!("content/articles/2020/{name}.md"));
        fs::write(
            &path,
            format!("---\ntitle: {name}\ndate: 2020-01-{day:02}\ntags: [{tag}]\n---\nنص {name}.\n"),
        )
        .unwrap();
        path
    };
    write("a", 1, "نفط");
    write("b", 2, "نفط");
    write("c", 3, "مياه");
    write("d", 4, "مياه");
    let e = write("e", 5, "زراعة");
    write("f", 6, "زراعة");
    let mut s = Session::new(root, BuildOptions::default()).unwrap();
    s.rebuild().unwrap();
    let before = fs::read_to_string(s.output().join("articles/a/index.html")).unwrap();
    assert!(
        !before.contains("/articles/e/\""),
        "e is not related to a yet"
    );
    write("e", 5, "زراعة, نفط");
    let u = s.apply(&[Change::Content(e)]).unwrap();
    for shows_e in ["articles/a/index.html", "articles/b/index.html"] {
        assert!(u.changed.iter().any(|c| c == shows_e), "{shows_e}: {u:?}");
    }
    for unrelated in ["articles/c/index.html", "articles/d/index.html"] {
        assert!(
            !u.changed.iter().any(|c| c == unrelated),
            "{unrelated}: {u:?}"
        );
    }
    let after = fs::read_to_string(s.output().join("articles/a/index.html")).unwrap();
    assert!(
        after.contains("href=\"/articles/e/\""),
        "e is related to a now"
    );
    assert_same_as_a_build(root, &s);
}
