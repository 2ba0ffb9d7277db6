//! What a target is for: fitting the model (calibration uses it) or
//! checking it (predicted by the fitted model, never fitted), so that a
//! validation can keep the two apart.

/// A target's role in a targets file (`role`, default `fit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Calibration fits the model to it.
    #[default]
    Fit,
    /// Only predicted: calibration sets it aside.
    Check,
}

impl Role {
    /// The values of a targets file's `role` field.
    pub const ALLOWED: [&'static str; 2] = ["fit", "check"];

    /// The role written `text` in a targets file, if it is one.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "fit" => Some(Role::Fit),
            "check" => Some(Role::Check),
            _ => None,
        }
    }

    /// Its name in targets files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Check => "check",
        }
    }
}
