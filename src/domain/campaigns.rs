//! Campaign rules (SPEC §6.7): the status machine and the event counts.
//!
//! The machine is draft → active → paused ⇄ active → completed, and
//! draft/active/paused → cancelled. Each mutation names one
//! [`Transition`]; anything the machine does not allow is refused with a
//! message naming the transition and the current status, which the API
//! returns as `BAD_USER_INPUT`.

use std::fmt;
use std::str::FromStr;

/// Where a campaign is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignStatus {
    /// Being set up and built; its contacts are reserved.
    Draft,
    /// Sending.
    Active,
    /// Sending stopped for now; can be resumed.
    Paused,
    /// Finished; its contacts stay as history but are free for new builds.
    Completed,
    /// Abandoned; its contacts are released.
    Cancelled,
}

impl CampaignStatus {
    /// Every status, in life order.
    pub const ALL: [CampaignStatus; 5] = [
        CampaignStatus::Draft,
        CampaignStatus::Active,
        CampaignStatus::Paused,
        CampaignStatus::Completed,
        CampaignStatus::Cancelled,
    ];

    /// The stored, lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Active => "active",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    /// The name with its article, for messages: "a draft", "an active".
    fn with_article(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "a draft",
            CampaignStatus::Active => "an active",
            CampaignStatus::Paused => "a paused",
            CampaignStatus::Completed => "a completed",
            CampaignStatus::Cancelled => "a cancelled",
        }
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CampaignStatus {
    type Err = String;

    /// Reads a stored status; exact lower-case names only, as the database
    /// check constraint allows nothing else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|status| status.as_str() == s).ok_or_else(|| {
            format!("unknown campaign status {s:?}: expected draft, active, paused, completed or cancelled")
        })
    }
}

/// A change of status that a mutation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    /// draft → active (`activateCampaign`), once built with contacts.
    Activate,
    /// active → paused (`pauseCampaign`).
    Pause,
    /// paused → active (`resumeCampaign`).
    Resume,
    /// active → completed (`completeCampaign`).
    Complete,
    /// draft, active or paused → cancelled (`cancelCampaign`).
    Cancel,
}

impl Transition {
    /// Every transition.
    pub const ALL: [Transition; 5] = [
        Transition::Activate,
        Transition::Pause,
        Transition::Resume,
        Transition::Complete,
        Transition::Cancel,
    ];

    /// The verb, as in "cannot pause a draft campaign".
    pub fn verb(self) -> &'static str {
        match self {
            Transition::Activate => "activate",
            Transition::Pause => "pause",
            Transition::Resume => "resume",
            Transition::Complete => "complete",
            Transition::Cancel => "cancel",
        }
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
    }
}

/// The status after `t`, or why `t` is not allowed from `from`: "cannot
/// complete a draft campaign". Activating needs `target_count` > 0, i.e. a
/// build that found contacts.
pub fn apply(from: CampaignStatus, t: Transition, target_count: i32) -> Result<CampaignStatus, String> {
    use CampaignStatus::{Active, Cancelled, Completed, Draft, Paused};
    match (from, t) {
        (Draft, Transition::Activate) if target_count > 0 => Ok(Active),
        (Draft, Transition::Activate) => Err(
            "cannot activate a draft campaign with no target contacts: build it first so that it has some"
                .to_owned(),
        ),
        (Active, Transition::Pause) => Ok(Paused),
        (Paused, Transition::Resume) => Ok(Active),
        (Active, Transition::Complete) => Ok(Completed),
        (Draft | Active | Paused, Transition::Cancel) => Ok(Cancelled),
        (from, t) => Err(format!("cannot {t} {} campaign", from.with_article())),
    }
}

/// Whether a campaign in this status holds its contacts: a contact is in at
/// most one open campaign.
pub fn is_open(s: CampaignStatus) -> bool {
    matches!(s, CampaignStatus::Draft | CampaignStatus::Active | CampaignStatus::Paused)
}

/// A campaign's event counts, or a change to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Emails sent.
    pub sent: i64,
    /// Emails opened.
    pub opened: i64,
    /// Links clicked.
    pub clicked: i64,
    /// Replies received.
    pub replied: i64,
}

/// Adds `delta` (whose counts may be negative, to correct mistakes) to
/// `current`. Refused when a count would go below 0 or overflow, or when
/// opened, clicked or replied would exceed sent.
pub fn add_events(current: Counts, delta: Counts) -> Result<Counts, String> {
    let add = |name: &str, current: i64, delta: i64| -> Result<i64, String> {
        let total = current.checked_add(delta).ok_or_else(|| format!("{name} count would overflow"))?;
        if total < 0 {
            return Err(format!("{name} count would become {total}; counts never go below 0"));
        }
        Ok(total)
    };
    let next = Counts {
        sent: add("sent", current.sent, delta.sent)?,
        opened: add("opened", current.opened, delta.opened)?,
        clicked: add("clicked", current.clicked, delta.clicked)?,
        replied: add("replied", current.replied, delta.replied)?,
    };
    for (name, count) in [("opened", next.opened), ("clicked", next.clicked), ("replied", next.replied)] {
        if count > next.sent {
            return Err(format!("{name} count would become {count}, more than the sent count {}", next.sent));
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::CampaignStatus::{Active, Cancelled, Completed, Draft, Paused};
    use super::Transition::{Activate, Cancel, Complete, Pause, Resume};
    use super::*;

    /// The whole machine of SPEC §6.7: (from, transition) → to.
    const ALLOWED: &[(CampaignStatus, Transition, CampaignStatus)] = &[
        (Draft, Activate, Active),
        (Active, Pause, Paused),
        (Paused, Resume, Active),
        (Active, Complete, Completed),
        (Draft, Cancel, Cancelled),
        (Active, Cancel, Cancelled),
        (Paused, Cancel, Cancelled),
    ];

    #[test]
    fn every_allowed_transition_reaches_its_status() {
        for &(from, t, to) in ALLOWED {
            assert_eq!(apply(from, t, 10), Ok(to), "{t} from {from}");
        }
    }

    #[test]
    fn every_other_transition_is_refused_naming_it_and_the_status() {
        let mut refused = 0;
        for from in CampaignStatus::ALL {
            for t in Transition::ALL {
                if ALLOWED.iter().any(|&(f, tr, _)| f == from && tr == t) {
                    continue;
                }
                let message = apply(from, t, 10).unwrap_err();
                assert!(message.starts_with(&format!("cannot {t} a")), "{message}");
                assert!(message.contains(from.as_str()), "{message}");
                refused += 1;
            }
        }
        assert_eq!(refused, 25 - ALLOWED.len());
    }

    #[test]
    fn refusals_read_as_sentences() {
        assert_eq!(apply(Draft, Complete, 5).unwrap_err(), "cannot complete a draft campaign");
        assert_eq!(apply(Active, Resume, 5).unwrap_err(), "cannot resume an active campaign");
        assert_eq!(apply(Paused, Complete, 5).unwrap_err(), "cannot complete a paused campaign");
        assert_eq!(apply(Cancelled, Cancel, 5).unwrap_err(), "cannot cancel a cancelled campaign");
        assert_eq!(apply(Paused, Activate, 5).unwrap_err(), "cannot activate a paused campaign");
    }

    #[test]
    fn activating_needs_target_contacts() {
        for target in [0, -1] {
            let message = apply(Draft, Activate, target).unwrap_err();
            assert!(message.contains("cannot activate a draft campaign"), "{message}");
            assert!(message.contains("build"), "{message}");
        }
        assert_eq!(apply(Draft, Activate, 1), Ok(Active));
    }

    #[test]
    fn only_draft_active_and_paused_are_open() {
        let open: Vec<_> = CampaignStatus::ALL.into_iter().filter(|s| is_open(*s)).collect();
        assert_eq!(open, [Draft, Active, Paused]);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in CampaignStatus::ALL {
            assert_eq!(status.as_str().parse::<CampaignStatus>(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
        }
        assert!("Active".parse::<CampaignStatus>().is_err());
        assert!("archived".parse::<CampaignStatus>().unwrap_err().contains("archived"));
    }

    fn counts(sent: i64, opened: i64, clicked: i64, replied: i64) -> Counts {
        Counts { sent, opened, clicked, replied }
    }

    #[test]
    fn events_add_up() {
        assert_eq!(add_events(counts(10, 5, 2, 1), counts(5, 5, 3, 0)), Ok(counts(15, 10, 5, 1)));
        assert_eq!(add_events(Counts::default(), Counts::default()), Ok(Counts::default()));
    }

    #[test]
    fn negative_deltas_correct_counts_but_never_below_zero() {
        assert_eq!(add_events(counts(10, 5, 2, 1), counts(-2, -1, -2, -1)), Ok(counts(8, 4, 0, 0)));
        let message = add_events(counts(10, 5, 2, 1), counts(0, 0, -3, 0)).unwrap_err();
        assert!(message.contains("clicked") && message.contains("-1"), "{message}");
    }

    #[test]
    fn opened_clicked_and_replied_never_exceed_sent() {
        for (delta, name) in [
            (counts(0, 6, 0, 0), "opened"),
            (counts(0, 0, 7, 0), "clicked"),
            (counts(0, 0, 0, 7), "replied"),
            (counts(-6, 0, 0, 0), "opened"),
        ] {
            let message = add_events(counts(10, 5, 4, 4), delta).unwrap_err();
            assert!(message.starts_with(name), "{message}");
            assert!(message.contains("sent"), "{message}");
        }
        // Clicks may exceed opens: tracking pixels are often blocked.
        assert_eq!(add_events(counts(10, 0, 0, 0), counts(0, 0, 3, 0)), Ok(counts(10, 0, 3, 0)));
    }

    #[test]
    fn counts_that_would_overflow_are_refused() {
        let message = add_events(counts(i64::MAX, 0, 0, 0), counts(1, 0, 0, 0)).unwrap_err();
        assert!(message.contains("overflow"), "{message}");
    }
}
