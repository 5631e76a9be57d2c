//! What a session holds between updates: the build, how far it is behind the files,
//! and the search index's state.

use crate::basics::config::Config;
use crate::build::render::Renderer;
use crate::build::site::Site;
use std::collections::HashMap;

pub(super) struct State {
    pub config: Config,
    pub site: Site,
    pub renderer: Renderer,
    pub keys: HashMap<String, u64>,
}

/// What the session holds.
pub(super) enum Held {
    /// No build: none yet, or the last full rebuild failed. The next update rebuilds.
    Nothing,
    /// A build, behind the files by what an update that failed left undone.
    Built { state: Box<State>, behind: Behind },
}

/// How far the build held is behind the files after an update failed part-way (a
/// broken template, or a broken article elsewhere): the next update makes up for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Behind {
    /// The site and the templates held are what the files say.
    #[default]
    Nothing,
    /// Pages were read again but the site was not assembled from them.
    Site,
    /// A template changed and was not loaded.
    Templates,
    /// Both.
    SiteAndTemplates,
}

impl Behind {
    pub(super) fn site(self) -> bool {
        matches!(self, Behind::Site | Behind::SiteAndTemplates)
    }

    pub(super) fn templates(self) -> bool {
        matches!(self, Behind::Templates | Behind::SiteAndTemplates)
    }

    /// This, and the site or templates more.
    pub(super) fn and(self, site: bool, templates: bool) -> Behind {
        match (self.site() || site, self.templates() || templates) {
            (false, false) => Behind::Nothing,
            (true, false) => Behind::Site,
            (false, true) => Behind::Templates,
            (true, true) => Behind::SiteAndTemplates,
        }
    }
}

/// The search index is built by [`Session::rebuild`] but not by [`Session::apply`]: an
/// edit re-renders the few pages that show the article in milliseconds, while indexing
/// the whole archive again takes about a second at 10,000 articles, far too long to pay
/// on every save. Edited articles are still parsed for search (their words numbered,
/// their text kept), so [`Session::refresh_search`] only writes the bundle. Until then
/// search answers from the last index.
#[derive(Default)]
pub(super) struct SearchState {
    pub vocabulary: crate::search::index::Vocabulary,
    /// Files of the bundle in the output.
    pub files: Vec<String>,
    pub stale: bool,
}
