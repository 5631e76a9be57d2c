//! The jobs of a site: one per output file, each with its template, its URL and file,
//! and (for list pages) its pager.

use crate::build::site::{Pager, Pages, Site};

/// One output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Article(usize),
    Standalone(usize),
    /// Page N (1-based) of the home list.
    Home(usize),
    TaxonomyIndex(usize),
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    TermFeed {
        taxonomy: usize,
        term: usize,
    },
    YearIndex,
    Year {
        year: usize,
        page: usize,
    },
    Feed,
    Sitemap,
    Robots,
    NotFound,
    /// The search page (when the site has search).
    Search,
    /// A series' page: its articles in reading order.
    Series(usize),
    /// Page N of a language's own list (`/en/`).
    Language {
        lang: usize,
        page: usize,
    },
    /// An old address, redirecting to its page.
    Alias(usize),
    /// `_redirects`: every old address as a 301, for hosts that read it.
    Redirects,
}

/// Every output of the site, in a fixed order: the pages that list the whole site first.
/// The sitemap alone is tens of milliseconds of one core at 10,000 articles; rendered in
/// parallel with everything else, the rest of the pages fill the other cores around it,
/// where last it would leave them idle at the end of the build.
pub fn jobs(site: &Site) -> Vec<Job> {
    let per_page = site.config.paginate_by;
    let numbers = site.config.page_numbers;
    let pages = |count: usize, per_page: usize| 1..=Pages::new(count, per_page, numbers).total();
    let mut jobs = vec![Job::Sitemap, Job::Feed];
    jobs.extend((0..site.taxonomies.len()).map(Job::TaxonomyIndex));
    jobs.push(Job::YearIndex);
    jobs.extend((0..site.articles.len()).map(Job::Article));
    jobs.extend((0..site.standalone.len()).map(Job::Standalone));
    jobs.extend(pages(site.home.len(), per_page).map(Job::Home));
    jobs.extend((0..site.series.len()).map(Job::Series));
    for (li, l) in site.languages.iter().enumerate() {
        jobs.extend(pages(l.pages.len(), per_page).map(|page| Job::Language { lang: li, page }));
    }
    jobs.extend(
        (0..site.aliases.len())
            .filter(|&a| site.aliases[a].page)
            .map(Job::Alias),
    );
    if !site.aliases.is_empty() {
        jobs.push(Job::Redirects);
    }
    for (ti, tax) in site.taxonomies.iter().enumerate() {
        for (term_i, term) in tax.terms.iter().enumerate() {
            for page in pages(term.pages.len(), tax.paginate_by) {
                jobs.push(Job::Term {
                    taxonomy: ti,
                    term: term_i,
                    page,
                });
            }
            if tax.feed {
                jobs.push(Job::TermFeed {
                    taxonomy: ti,
                    term: term_i,
                });
            }
        }
    }
    for (yi, year) in site.years.iter().enumerate() {
        for page in pages(year.pages.len(), per_page) {
            jobs.push(Job::Year { year: yi, page });
        }
    }
    jobs.extend([Job::Robots, Job::NotFound]);
    if site.config.search {
        jobs.push(Job::Search);
    }
    jobs
}

/// The file a site path is written to: `/a/b/` → `a/b/index.html`, `/x.xml` → `x.xml`.
pub fn file_for_url(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_owned()
    }
}

/// The template a job renders.
pub fn template_of(job: Job) -> &'static str {
    match job {
        Job::Article(_) => "article.html",
        Job::Standalone(_) => "page.html",
        Job::Home(_) => "list.html",
        Job::TaxonomyIndex(_) => "terms.html",
        Job::Term { .. } => "term.html",
        Job::TermFeed { .. } | Job::Feed => "atom.xml",
        Job::YearIndex => "years.html",
        Job::Year { .. } => "year.html",
        Job::Sitemap => "sitemap.xml",
        Job::Robots => "robots.txt",
        Job::NotFound => "404.html",
        Job::Search => "search.html",
        Job::Series(_) => "series.html",
        Job::Language { .. } => "list.html",
        Job::Alias(_) => "alias.html",
        Job::Redirects => "redirects.txt",
    }
}

/// The page of its list a paginated job renders (home, term and year pages), used alike
/// for its URL, its rendering and its key.
pub fn job_pager(site: &Site, job: Job) -> Option<Pager> {
    job_list(site, job).map(|(base, pages, at)| pages.pager(base, at))
}

/// The list a paginated job shows a page of: its URL, its pages and the job's place
/// among them (1: the list's first page).
fn job_list(site: &Site, job: Job) -> Option<(&str, Pages, usize)> {
    let per_page = site.config.paginate_by;
    let pages =
        |count: usize, per_page: usize| Pages::new(count, per_page, site.config.page_numbers);
    match job {
        Job::Home(n) => Some(("/", pages(site.home.len(), per_page), n)),
        Job::Language { lang, page } => {
            let l = &site.languages[lang];
            Some((l.url.as_str(), pages(l.pages.len(), per_page), page))
        }
        Job::Term {
            taxonomy,
            term,
            page,
        } => {
            let tax = &site.taxonomies[taxonomy];
            let t = &tax.terms[term];
            Some((t.url.as_str(), pages(t.pages.len(), tax.paginate_by), page))
        }
        Job::Year { year, page } => {
            let y = &site.years[year];
            Some((y.url.as_str(), pages(y.pages.len(), per_page), page))
        }
        _ => None,
    }
}

/// The site path a job writes.
pub fn job_url(site: &Site, job: Job) -> String {
    // Only the page's own URL: not its neighbours' (job_pager), made for every job.
    if let Some((base, pages, at)) = job_list(site, job) {
        return pages.url(base, at);
    }
    match job {
        Job::Article(i) => site.articles[i].url.clone(),
        Job::Standalone(i) => site.standalone[i].url.clone(),
        Job::TaxonomyIndex(t) => site.taxonomies[t].url(),
        Job::TermFeed { taxonomy, term } => {
            format!("{}atom.xml", site.taxonomies[taxonomy].terms[term].url)
        }
        Job::YearIndex => "/years/".to_owned(),
        Job::Feed => "/atom.xml".to_owned(),
        Job::Sitemap => "/sitemap.xml".to_owned(),
        Job::Robots => "/robots.txt".to_owned(),
        Job::NotFound => "/404.html".to_owned(),
        Job::Search => "/search/".to_owned(),
        Job::Series(s) => site.series[s].url.clone(),
        Job::Alias(a) => site.aliases[a].path.clone(),
        Job::Redirects => "/_redirects".to_owned(),
        Job::Home(_) | Job::Term { .. } | Job::Year { .. } | Job::Language { .. } => {
            unreachable!("paginated above")
        }
    }
}
