//! Embed mode: `?embed=1&panels=problems&readonly=1&example=<id>&editor=0&theme=dark`,
//! for iframes in documentation pages (web/README.md documents it).

use crate::browser::query_param;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Problems,
    Effective,
    Listeners,
    Trace,
    /// What the edits since Compare change (the base is the text when Compare was pressed).
    Impact,
    /// The tightest Sidecar for the selected workload (or every workload), from the mesh and the
    /// traffic pasted in its Traffic tab.
    Suggest,
}

impl Panel {
    pub const ALL: [Panel; 6] =
        [Panel::Problems, Panel::Effective, Panel::Listeners, Panel::Trace, Panel::Impact, Panel::Suggest];

    pub fn id(self) -> &'static str {
        match self {
            Panel::Problems => "problems",
            Panel::Effective => "effective",
            Panel::Listeners => "listeners",
            Panel::Trace => "trace",
            Panel::Impact => "impact",
            Panel::Suggest => "suggest",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Panel::Problems => "Problems",
            Panel::Effective => "Effective config",
            Panel::Listeners => "Listeners",
            Panel::Trace => "Trace",
            Panel::Impact => "Impact",
            Panel::Suggest => "Suggest",
        }
    }

    pub fn from_id(s: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.id() == s)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub embed: bool,
    pub read_only: bool,
    pub show_editor: bool,
    /// The results panels shown, in order (all of them outside embed mode).
    pub panels: Vec<Panel>,
    pub example: Option<String>,
}

fn flag(name: &str) -> bool {
    matches!(query_param(name).as_deref(), Some("1" | "true" | "yes"))
}

impl Config {
    pub fn from_url() -> Config {
        let embed = flag("embed");
        let panels = match query_param("panels") {
            Some(list) if embed => list.split(',').filter_map(|p| Panel::from_id(p.trim())).collect(),
            _ => Panel::ALL.to_vec(),
        };
        Config {
            embed,
            read_only: flag("readonly"),
            show_editor: !matches!(query_param("editor").as_deref(), Some("0" | "false" | "no")),
            panels,
            example: query_param("example"),
        }
    }
}
