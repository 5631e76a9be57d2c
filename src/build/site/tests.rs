use super::*;
use std::path::Path;

fn page(name: &str, date: &str, tags: &[&str]) -> Page {
    let config = Config::parse("title = \"t\"\n").unwrap();
    let text = format!(
        "---\ntitle: {name}\ndate: {date}\ntags: [{}]\n---\nنص\n",
        tags.join(", ")
    );
    let mut p = crate::sources::page::parse(
        &text,
        &Path::new("articles").join(format!("{name}.md")),
        &config,
    )
    .unwrap();
    p.path = PathBuf::from(format!("content/articles/{name}.md"));
    p
}

fn site(pages: Vec<Page>) -> Result<Site, Vec<Diagnostic>> {
    let pages = pages.into_iter().map(Arc::new).collect();
    assemble(
        Config::parse("title = \"t\"\n").unwrap(),
        pages,
        Arc::default(),
        AssembleOptions::default(),
    )
}

#[test]
fn variant_spellings_are_one_term_named_by_majority() {
    let s = site(vec![
        page("a", "2019-01-01", &["السِّيَاسَة"]),
        page("b", "2019-01-02", &["السياسة"]),
        page("c", "2019-01-03", &["السياسة"]),
        page("d", "2019-01-04", &["الســياسة", "اقتصاد"]),
    ])
    .unwrap();
    let tags = &s.taxonomies[0];
    assert_eq!(tags.terms.len(), 2);
    assert_eq!(tags.terms[0].name, "السياسة");
    assert_eq!(tags.terms[0].pages.len(), 4);
    assert_eq!(tags.terms[0].url, "/tags/السياسة/");
    assert!(tags.term("السِّيَاسَة").is_some());
}

#[test]
fn newest_first_and_years() {
    let s = site(vec![
        page("old", "2018-05-01", &[]),
        page("new", "2020-01-01", &[]),
    ])
    .unwrap();
    assert_eq!(s.articles[0].title, "new");
    assert_eq!(
        s.years.iter().map(|y| y.year).collect::<Vec<_>>(),
        vec![2020, 2018]
    );
}

#[test]
fn one_url_two_files_is_an_error_naming_both() {
    let mut b = page("a", "2019-01-01", &[]);
    b.path = PathBuf::from("content/articles/other.md");
    let e = site(vec![page("a", "2019-01-02", &[]), b]).err().unwrap();
    assert_eq!(e.len(), 1);
    let msg = e[0].to_string();
    assert!(
        msg.contains("content/articles/a.md") && msg.contains("other.md"),
        "{msg}"
    );
}

#[test]
fn normalization_collisions_are_caught() {
    let a = page("مقال", "2019-01-01", &[]);
    let b = page("مَقال\u{200B}", "2019-01-02", &[]);
    assert!(site(vec![a, b]).is_err());
}

#[test]
fn a_page_cannot_take_a_later_page_of_a_list() {
    let config = Config::parse("title = \"t\"\npaginate_by = 1\n").unwrap();
    let mut about = page("2", "2019-01-01", &[]);
    about.kind = Kind::Standalone;
    about.url = "/tags/سياسة/page/1/".to_owned();
    about.path = PathBuf::from("content/tags/سياسة/page/1.md");
    let e = assemble(
        config,
        vec![
            Arc::new(page("a", "2019-01-01", &["سياسة"])),
            Arc::new(page("b", "2019-01-02", &["سياسة"])),
            Arc::new(about),
        ],
        Arc::default(),
        AssembleOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(e.len(), 1);
    assert!(e[0].message.contains("is a page warraq generates"), "{e:?}");
}
