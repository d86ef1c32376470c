//! The validated instruments, word for word from `data/instruments.md`.

use super::{ConversionTable, Instrument, Item, ScoringRule, bands, items, option_list};

pub const SWEMWBS_COPYRIGHT: &str = "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) \
© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008, all rights reserved.";

/// The band label of the ONS direct question's "Often/always", reported as chronic loneliness.
pub const ONS_CHRONIC_LONELINESS: &str = "chronic loneliness";

/// The published Rasch conversion, raw 7..=35 -> metric in hundredths.
const SWEMWBS_METRIC: [u16; 29] = [
    700, 951, 1125, 1240, 1333, 1408, 1475, 1532, 1584, 1636, 1688, 1743, 1798, 1859, 1925, 1998,
    2073, 2154, 2235, 2321, 2411, 2503, 2602, 2703, 2813, 2931, 3070, 3255, 3500,
];

/// SWEMWBS, Stewart-Brown et al. (2009). Licensed: off unless the programme holds a licence.
pub fn swemwbs() -> Instrument {
    Instrument {
        id: "swemwbs".into(),
        version: 1,
        title: "Short Warwick-Edinburgh Mental Wellbeing Scale".into(),
        preamble: Some(
            "Below are some statements about feelings and thoughts. Please tick the box that best \
             describes your experience of each over the last 2 weeks."
                .into(),
        ),
        items: items(
            "swemwbs",
            &[
                "I've been feeling optimistic about the future",
                "I've been feeling useful",
                "I've been feeling relaxed",
                "I've been dealing with problems well",
                "I've been thinking clearly",
                "I've been feeling close to other people",
                "I've been able to make up my own mind about things",
            ],
            &[
                (1, "None of the time"),
                (2, "Rarely"),
                (3, "Some of the time"),
                (4, "Often"),
                (5, "All of the time"),
            ],
        ),
        scoring: ScoringRule::SumComplete {
            conversion: Some(ConversionTable {
                name: "SWEMWBS raw to metric (Rasch)".into(),
                rows: (7u16..=35).zip(SWEMWBS_METRIC).collect(),
            }),
        },
        copyright: Some(SWEMWBS_COPYRIGHT.into()),
        licence_required: true,
    }
}

/// The UCLA 3-item loneliness scale (Hughes et al. 2004), as ONS recommends it. 3-9, higher is
/// lonelier.
pub fn ucla3() -> Instrument {
    Instrument {
        id: "ucla3".into(),
        version: 1,
        title: "UCLA 3-item loneliness scale".into(),
        preamble: None,
        items: items(
            "ucla3",
            &[
                "How often do you feel that you lack companionship?",
                "How often do you feel left out?",
                "How often do you feel isolated from others?",
            ],
            &[
                (1, "Hardly ever or never"),
                (2, "Some of the time"),
                (3, "Often"),
            ],
        ),
        scoring: ScoringRule::SumComplete { conversion: None },
        copyright: None,
        licence_required: false,
    }
}

/// The ONS direct question. The stored score is the answer's position (1 = Often/always), which is
/// a code, not a scale: lower is lonelier and only the bands are reported.
pub fn ons_loneliness() -> Instrument {
    Instrument {
        id: "ons_loneliness".into(),
        version: 1,
        title: "ONS direct loneliness question".into(),
        preamble: None,
        items: vec![Item {
            id: "ons_lonely".into(),
            wording: "How often do you feel lonely?".into(),
            options: option_list(&[
                (1, "Often/always"),
                (2, "Some of the time"),
                (3, "Occasionally"),
                (4, "Hardly ever"),
                (5, "Never"),
            ]),
            bands: bands(&[(ONS_CHRONIC_LONELINESS, 1, 1), ("not chronic", 2, 5)]),
        }],
        scoring: ScoringRule::EachItem,
        copyright: None,
        licence_required: false,
    }
}

/// ONS4 personal wellbeing (GSS harmonised standard): four questions 0-10, each in its own bands,
/// never combined.
pub fn ons4() -> Instrument {
    let scale: Vec<(u8, String)> = (0..=10u8)
        .map(|s| {
            let label = match s {
                0 => "0 - not at all".to_owned(),
                10 => "10 - completely".to_owned(),
                _ => s.to_string(),
            };
            (s, label)
        })
        .collect();
    let scale: Vec<(u8, &str)> = scale.iter().map(|(s, l)| (*s, l.as_str())).collect();
    let positive = bands(&[
        ("low", 0, 4),
        ("medium", 5, 6),
        ("high", 7, 8),
        ("very high", 9, 10),
    ]);
    let anxiety = bands(&[
        ("very low", 0, 1),
        ("low", 2, 3),
        ("medium", 4, 5),
        ("high", 6, 10),
    ]);
    let mut list = items(
        "ons4",
        &[
            "Overall, how satisfied are you with your life nowadays?",
            "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
            "Overall, how happy did you feel yesterday?",
            "Overall, how anxious did you feel yesterday?",
        ],
        &scale,
    );
    for (i, item) in list.iter_mut().enumerate() {
        item.bands = if i == 3 {
            anxiety.clone()
        } else {
            positive.clone()
        };
    }
    Instrument {
        id: "ons4".into(),
        version: 1,
        title: "ONS4 personal wellbeing".into(),
        preamble: None,
        items: list,
        scoring: ScoringRule::EachItem,
        copyright: None,
        licence_required: false,
    }
}

/// Every built-in instrument.
pub fn catalogue() -> Vec<Instrument> {
    vec![swemwbs(), ucla3(), ons_loneliness(), ons4()]
}
