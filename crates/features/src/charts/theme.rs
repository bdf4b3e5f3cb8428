//! Colours for the charts: one palette per theme (light, dark), with a colour per
//! [`HarvestAction`] shared by every chart and by the action-map pixel buffer. Plain data, no
//! plotters and no CSS: the dashboard can read [`Rgb::css`] for its own swatches.

use harvest_kernel::HarvestAction;

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// From `0xRRGGBB`.
    ///
    /// ```
    /// use harvest_features::charts::Rgb;
    /// assert_eq!(Rgb::hex(0x0969da), Rgb(0x09, 0x69, 0xda));
    /// ```
    pub const fn hex(rgb: u32) -> Rgb {
        Rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
    }

    /// CSS spelling, `#rrggbb`.
    ///
    /// ```
    /// use harvest_features::charts::Rgb;
    /// assert_eq!(Rgb(255, 0, 16).css(), "#ff0010");
    /// ```
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Linear mix `self·(1−t) + other·t` per channel, `t` clamped to [0, 1] (NaN counts as 0).
    ///
    /// ```
    /// use harvest_features::charts::Rgb;
    /// assert_eq!(Rgb(0, 0, 0).mix(Rgb(200, 100, 50), 0.5), Rgb(100, 50, 25));
    /// ```
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let m = |a: u8, b: u8| (f64::from(a) * (1.0 - t) + f64::from(b) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// Relative luminance (WCAG, sRGB linearised), 0 black … 1 white.
    ///
    /// ```
    /// use harvest_features::charts::Rgb;
    /// assert!(Rgb(255, 255, 255).luminance() > 0.99 && Rgb(0, 0, 0).luminance() < 0.01);
    /// ```
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                // x^2.4 as e^(2.4·ln x): the same to a few ulps, without linking `pow`.
                (2.4 * ((c + 0.055) / 1.055).ln()).exp()
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// Text colour that reads on this fill: near-black on light fills, white on dark ones.
    pub fn ink_on(self) -> Rgb {
        if self.luminance() > 0.3 {
            Rgb::hex(0x1f2328)
        } else {
            Rgb(255, 255, 255)
        }
    }

    /// `[r, g, b, 255]`, one opaque RGBA pixel.
    pub const fn rgba(self) -> [u8; 4] {
        [self.0, self.1, self.2, 255]
    }
}

/// Everything a chart needs to colour itself. Build with [`ChartTheme::light`],
/// [`ChartTheme::dark`] or [`ChartTheme::for_dark`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChartTheme {
    /// `"light"` or `"dark"`.
    pub name: &'static str,
    /// Whether this is a dark theme.
    pub is_dark: bool,
    /// Canvas background.
    pub background: Rgb,
    /// Main text and axis lines.
    pub foreground: Rgb,
    /// Secondary text (tick labels, notes).
    pub muted: Rgb,
    /// Major grid lines.
    pub grid: Rgb,
    /// Minor grid lines.
    pub grid_light: Rgb,
    /// The main curve (K(z), sensitivity curves).
    pub accent: Rgb,
    /// R_net curves on the secondary axis.
    pub accent2: Rgb,
    /// The kill threshold and anything over it.
    pub danger: Rgb,
    /// The `lock_R` line and the break-even-plus level.
    pub lock: Rgb,
    /// Entry price.
    pub entry: Rgb,
    /// The implied mark price.
    pub mark: Rgb,
    /// The current stop.
    pub stop: Rgb,
    /// The proposed stop and the move arrow.
    pub proposed: Rgb,
    /// Kill components in order: regime flip, sigma spike, TS drop, age penalty.
    pub components: [Rgb; 4],
    /// One colour per action, in [`HarvestAction::ALL`] order.
    pub actions: [Rgb; 5],
    /// Font family for every label.
    pub font: &'static str,
    /// Font size of tick labels and annotations, px.
    pub font_size: f64,
    /// Font size of captions, px.
    pub caption_size: f64,
}

impl ChartTheme {
    /// The light theme (GitHub-like neutrals; actions grey → teal → red).
    pub fn light() -> ChartTheme {
        ChartTheme {
            name: "light",
            is_dark: false,
            background: Rgb::hex(0xffffff),
            foreground: Rgb::hex(0x1f2328),
            muted: Rgb::hex(0x59636e),
            grid: Rgb::hex(0xd1d9e0),
            grid_light: Rgb::hex(0xeff2f5),
            accent: Rgb::hex(0x0969da),
            accent2: Rgb::hex(0x8250df),
            danger: Rgb::hex(0xcf222e),
            lock: Rgb::hex(0x8250df),
            entry: Rgb::hex(0x59636e),
            mark: Rgb::hex(0x0969da),
            stop: Rgb::hex(0xbc4c00),
            proposed: Rgb::hex(0x1a7f37),
            components: [
                Rgb::hex(0x8250df),
                Rgb::hex(0xe16f24),
                Rgb::hex(0xbf8700),
                Rgb::hex(0x1b7c83),
            ],
            actions: [
                Rgb::hex(0xd5dbe1),
                Rgb::hex(0xa8ddd3),
                Rgb::hex(0x4fb3a4),
                Rgb::hex(0x0f7566),
                Rgb::hex(0xd1242f),
            ],
            font: "sans-serif",
            font_size: 12.0,
            caption_size: 13.0,
        }
    }

    /// The dark theme (same hues, brighter where the light theme is darker).
    pub fn dark() -> ChartTheme {
        ChartTheme {
            name: "dark",
            is_dark: true,
            background: Rgb::hex(0x0d1117),
            foreground: Rgb::hex(0xe6edf3),
            muted: Rgb::hex(0x9198a1),
            grid: Rgb::hex(0x3d444d),
            grid_light: Rgb::hex(0x1c2128),
            accent: Rgb::hex(0x4493f8),
            accent2: Rgb::hex(0xab7df8),
            danger: Rgb::hex(0xf85149),
            lock: Rgb::hex(0xab7df8),
            entry: Rgb::hex(0x9198a1),
            mark: Rgb::hex(0x4493f8),
            stop: Rgb::hex(0xdb6d28),
            proposed: Rgb::hex(0x3fb950),
            components: [
                Rgb::hex(0xab7df8),
                Rgb::hex(0xf0883e),
                Rgb::hex(0xd29922),
                Rgb::hex(0x39c5cf),
            ],
            actions: [
                Rgb::hex(0x30363d),
                Rgb::hex(0x1d4c45),
                Rgb::hex(0x1a8070),
                Rgb::hex(0x4fd6bd),
                Rgb::hex(0xda3633),
            ],
            font: "sans-serif",
            font_size: 12.0,
            caption_size: 13.0,
        }
    }

    /// [`ChartTheme::dark`] when `dark`, else [`ChartTheme::light`] (e.g. from
    /// `prefers-color-scheme`).
    pub fn for_dark(dark: bool) -> ChartTheme {
        if dark {
            ChartTheme::dark()
        } else {
            ChartTheme::light()
        }
    }

    /// The ink of a verdict: [`danger`](ChartTheme::danger) when the kill score closes the
    /// position, else the [`foreground`](ChartTheme::foreground).
    pub fn ink(&self, killed: bool) -> Rgb {
        if killed {
            self.danger
        } else {
            self.foreground
        }
    }

    /// The colour of an action (cells of the action map, bands of the R ladder, legends).
    ///
    /// ```
    /// use harvest_features::charts::ChartTheme;
    /// use harvest_kernel::HarvestAction;
    /// let t = ChartTheme::light();
    /// assert_eq!(t.action_color(HarvestAction::FullCloseProposed), t.actions[4]);
    /// ```
    pub fn action_color(&self, action: HarvestAction) -> Rgb {
        self.actions[action_index(action)]
    }
}

impl Default for ChartTheme {
    /// The light theme.
    fn default() -> Self {
        ChartTheme::light()
    }
}

/// Index of an action in [`HarvestAction::ALL`] (0 = NONE … 4 = FULL_CLOSE_PROPOSED).
#[inline]
pub const fn action_index(action: HarvestAction) -> usize {
    match action {
        HarvestAction::None => 0,
        HarvestAction::Partial25 => 1,
        HarvestAction::Partial50 => 2,
        HarvestAction::Partial75 => 3,
        HarvestAction::FullCloseProposed => 4,
    }
}

/// A short label for legends: `NONE`, `25 %`, `50 %`, `75 %`, `FULL CLOSE`.
pub fn action_short(action: HarvestAction) -> &'static str {
    match action {
        HarvestAction::None => "NONE",
        HarvestAction::Partial25 => "25 %",
        HarvestAction::Partial50 => "50 %",
        HarvestAction::Partial75 => "75 %",
        HarvestAction::FullCloseProposed => "FULL CLOSE",
    }
}
