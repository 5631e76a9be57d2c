//! An incremental build is a cold build: after any sequence of a day's edits (add,
//! delete, retitle, retag, redate, a body edit), building again into the last output,
//! and `serve`'s session applying each edit in memory, write exactly the bytes a build
//! from nothing writes. The site is small, paginated
//! by two (so lists have several pages and articles move between them) and has search.
//! `cargo test` runs a fixed, seeded sample; `PROPTEST_CASES=1000 cargo test --test
//! incremental` draws fresh random sequences.

#[path = "common/mod.rs"]
mod common;

use proptest::prelude::*;
use std::fs;
use std::path::Path;
use warraq::serve::session::Session;
use warraq::serve::watch::Change;
use warraq::BuildOptions;

const TAGS: &[&str] = &["سياسة", "اقتصاد", "روسيا", "الناتو", "ترامب", "NATO"];
const TOPICS: &[&str] = &["أمريكا اللاتينية", "الشرق الأوسط"];
const WORDS: &[&str] = &[
    "واشنطن",
    "كاراكاس",
    "—",
    "مادورو",
    "الناتو",
    "«قمة»",
    "2020",
    "ترامب-بوتين",
    "،",
    "في",
    "الرئيس",
    "السياسة",
    "G7",
    "موسكو",
    "اتفاق",
];

#[derive(Debug, Clone)]
struct Article {
    title: Vec<usize>,
    day: u32,
    tags: Vec<usize>,
    topic: Option<usize>,
    body: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Edit {
    Add(Article),
    Delete(usize),
    Retitle(usize, Vec<usize>),
    Retag(usize, Vec<usize>),
    Redate(usize, u32),
    Body(usize, usize, usize),
}

fn words(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..WORDS.len(), n)
}

fn tags() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..TAGS.len(), 0..3)
}

fn article() -> impl Strategy<Value = Article> {
    (
        words(1..4),
        0u32..60,
        tags(),
        prop::option::of(0..TOPICS.len()),
        words(3..40),
    )
        .prop_map(|(title, day, tags, topic, body)| Article {
            title,
            day,
            tags,
            topic,
            body,
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        article().prop_map(Edit::Add),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), words(1..4)).prop_map(|(i, t)| Edit::Retitle(i, t)),
        (any::<usize>(), tags()).prop_map(|(i, t)| Edit::Retag(i, t)),
        (any::<usize>(), 0u32..60).prop_map(|(i, d)| Edit::Redate(i, d)),
        (any::<usize>(), any::<usize>(), 0..WORDS.len())
            .prop_map(|(i, at, w)| Edit::Body(i, at, w)),
    ]
}

/// The site's articles, by file name (kept in a list: a deleted one's file goes).
struct Site {
    articles: Vec<(String, Article)>,
    next: usize,
}

impl Site {
    fn text(a: &Article) -> String {
        let join = |ix: &[usize], table: &[&str]| {
            ix.iter().map(|&i| table[i]).collect::<Vec<_>>().join(" ")
        };
        let tags: Vec<String> = a.tags.iter().map(|&t| format!("\"{}\"", TAGS[t])).collect();
        let mut text = format!(
            "---\ntitle: \"{}\"\ndate: 2020-{:02}-{:02}\ntags: [{}]\n",
            join(&a.title, WORDS).replace('"', "'"),
            1 + a.day / 28,
            1 + a.day % 28,
            tags.join(", ")
        );
        if let Some(t) = a.topic {
            text += &format!("topic: \"{}\"\n", TOPICS[t]);
        }
        text + "---\n\n" + &join(&a.body, WORDS) + "\n"
    }

    fn write(&self, root: &Path, name: &str) {
        let (_, a) = self.articles.iter().find(|(n, _)| n == name).unwrap();
        fs::write(root.join("content/articles").join(name), Site::text(a)).unwrap();
    }

    /// Makes the edit on disk; returns the file it changed, if any.
    fn apply(&mut self, root: &Path, edit: &Edit) -> Option<std::path::PathBuf> {
        let pick = |i: usize, n: usize| i % n.max(1);
        let n = self.articles.len();
        match edit.clone() {
            Edit::Add(a) => {
                let name = format!("a{}.md", self.next);
                self.next += 1;
                self.articles.push((name.clone(), a));
                self.write(root, &name);
                return Some(root.join("content/articles").join(name));
            }
            _ if n == 0 => return None,
            Edit::Delete(i) => {
                let (name, _) = self.articles.remove(pick(i, n));
                let path = root.join("content/articles").join(name);
                fs::remove_file(&path).unwrap();
                return Some(path);
            }
            Edit::Retitle(i, t) => self.articles[pick(i, n)].1.title = t,
            Edit::Retag(i, t) => self.articles[pick(i, n)].1.tags = t,
            Edit::Redate(i, d) => self.articles[pick(i, n)].1.day = d,
            Edit::Body(i, at, w) => {
                let body = &mut self.articles[pick(i, n)].1.body;
                let at = pick(at, body.len());
                body[at] = w;
            }
        }
        let name = self.articles[match edit {
            Edit::Retitle(i, _) | Edit::Retag(i, _) | Edit::Redate(i, _) | Edit::Body(i, ..) => {
                pick(*i, n)
            }
            _ => unreachable!(),
        }]
        .0
        .clone();
        self.write(root, &name);
        Some(root.join("content/articles").join(name))
    }
}

fn build(root: &Path, out: &Path) {
    let opts = BuildOptions {
        output: Some(out.to_path_buf()),
        ..BuildOptions::default()
    };
    if let Err(e) = warraq::build(root, &opts) {
        panic!("build failed: {e:#}");
    }
}

#[path = "common/runs.rs"]
mod runs;

/// 200 sequences in `cargo test` (see [`runs::config_for_run`]).
fn config() -> ProptestConfig {
    runs::config_for_run(200, 0x696e_6372)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_incremental_build_writes_what_a_cold_build_writes(
        start in prop::collection::vec(article(), 1..7),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content/articles")).unwrap();
        fs::write(
            root.join("site.toml"),
            "title = \"أرشيف\"\nbase_url = \"https://example.org\"\nlanguage = \"ar\"\npaginate_by = 2\n",
        )
        .unwrap();
        let mut site = Site { articles: Vec::new(), next: 0 };
        for a in start {
            site.apply(&root, &Edit::Add(a));
        }
        let kept = dir.path().join("kept/public");
        build(&root, &kept);
        let served = dir.path().join("served/public");
        let mut session = Session::new(
            &root,
            BuildOptions { output: Some(served.clone()), ..BuildOptions::default() },
        )
        .unwrap();
        session.rebuild().unwrap();
        for (k, edit) in edits.iter().enumerate() {
            let changed = site.apply(&root, edit);
            build(&root, &kept);
            if let Some(path) = changed {
                session.apply(&[Change::Content(path)]).unwrap();
            }
            if session.search_is_stale() {
                session.refresh_search().unwrap();
            }
            let cold = dir.path().join(format!("cold{k}/public"));
            build(&root, &cold);
            let want = common::read_tree(&cold);
            for (name, out) in [("build", &kept), ("serve", &served)] {
                let got = common::read_tree(out);
                let differ: Vec<&String> = got
                    .keys()
                    .chain(want.keys())
                    .filter(|f| got.get(*f) != want.get(*f))
                    .collect();
                prop_assert!(
                    differ.is_empty(),
                    "{name}, after {:?}: {:?} differ",
                    &edits[..=k],
                    differ
                );
            }
        }
    }
}
