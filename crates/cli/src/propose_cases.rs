//! Input lines for the `propose` tests: a good line and variants of it that exercise every way a
//! line can be read (and fail to be), shared by the pinned-output tests and the parser tests.

/// A line of the mixed corpus (keys in alphabetical order, a partial theta).
pub const GOOD: &str = r#"{"market_state":{"p_chop":0.33,"p_mr":0.34,"p_trend":0.33,"sigma":0.0088,"ts":0.506},"p1_proposal":{"stop_dist_pct":0.0061},"position":{"age_sec":29514.0,"current_price":2991.105657763975,"current_sl":null,"current_tp":null,"entry_price":2880.9069,"peak_price":2991.105657763975,"qty":0.805,"side":"LONG","symbol":"ETHUSDT","trough_price":2880.9069,"unrealized_pnl":88.71},"theta":{"lock_R":1.42}}"#;

/// `GOOD` with the first `from` replaced by `to`.
fn edit(from: &str, to: &str) -> Vec<u8> {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1).into_bytes()
}

/// `(name, line)`: variants of [`GOOD`], good and bad.
pub fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let pnl = "\"unrealized_pnl\":88.71";
    let entry = "\"entry_price\":2880.9069";
    let with_pnl = |v: &str| edit(pnl, &format!("\"unrealized_pnl\":{v}"));
    let nested = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let mut non_utf8_symbol = edit("ETHUSDT", "ETH#SDT");
    let at = non_utf8_symbol.iter().position(|&b| b == b'#').unwrap();
    non_utf8_symbol[at] = 0xff;
    let mut non_utf8_outside = GOOD.as_bytes().to_vec();
    non_utf8_outside.insert(1, 0xfe);
    vec![
        ("good", GOOD.as_bytes().to_vec()),
        ("crlf", format!("{GOOD}\r").into_bytes()),
        ("blank", b"  \t ".to_vec()),
        (
            "pretty",
            GOOD.replace(',', " ,\n\t").replace(':', " : ").into_bytes(),
        ),
        ("leading space", format!("  {GOOD}").into_bytes()),
        ("trailing space", format!("{GOOD}  ").into_bytes()),
        // Wrong types.
        (
            "entry_price string",
            edit(entry, "\"entry_price\":\"2880.9069\""),
        ),
        ("side number", edit("\"LONG\"", "1")),
        ("side lowercase", edit("\"LONG\"", "\"long\"")),
        ("side as map", edit("\"LONG\"", "{\"LONG\":null}")),
        ("symbol number", edit("\"ETHUSDT\"", "5")),
        ("symbol null", edit("\"ETHUSDT\"", "null")),
        ("theta array", edit("{\"lock_R\":1.42}", "[1]")),
        ("theta string", edit("{\"lock_R\":1.42}", "\"x\"")),
        ("theta null", edit("{\"lock_R\":1.42}", "null")),
        ("theta empty", edit("{\"lock_R\":1.42}", "{}")),
        ("theta field null", edit("1.42", "null")),
        ("theta field bool", edit("1.42", "true")),
        ("p1 string", edit("{\"stop_dist_pct\":0.0061}", "\"x\"")),
        ("p1 null", edit("{\"stop_dist_pct\":0.0061}", "null")),
        ("p1 empty", edit("{\"stop_dist_pct\":0.0061}", "{}")),
        ("p1 zero stop", edit("0.0061", "0")),
        ("p1 negative stop", edit("0.0061", "-0.01")),
        (
            "p1 all fields",
            edit(
                "0.0061}",
                "0.0061,\"proposed_sl\":99.5,\"proposed_tp\":null}",
            ),
        ),
        ("qty null", edit("\"qty\":0.805", "\"qty\":null")),
        ("qty missing", edit("\"qty\":0.805,", "")),
        (
            "current_sl string",
            edit("\"current_sl\":null", "\"current_sl\":\"x\""),
        ),
        (
            "current_sl number",
            edit("\"current_sl\":null", "\"current_sl\":2800"),
        ),
        // Missing fields.
        (
            "no position",
            GOOD.split(",\"position\"")
                .next()
                .unwrap()
                .to_string()
                .into_bytes(),
        ),
        ("no side", edit("\"side\":\"LONG\",", "")),
        ("no p_chop", edit("\"p_chop\":0.33,", "")),
        ("no symbol", edit("\"symbol\":\"ETHUSDT\",", "")),
        ("empty object", b"{}".to_vec()),
        ("array", b"[]".to_vec()),
        ("null", b"null".to_vec()),
        ("string", b"\"s\"".to_vec()),
        ("number", b"1".to_vec()),
        ("truncated", GOOD.as_bytes()[..100].to_vec()),
        // Unknown fields (ignored when valid JSON).
        (
            "unknown top",
            edit("{\"market_state\"", "{\"extra\":1,\"market_state\""),
        ),
        (
            "unknown position",
            edit("\"side\"", "\"colour\":\"red\",\"side\""),
        ),
        (
            "unknown theta",
            edit("{\"lock_R\"", "{\"T9_R\":7,\"lock_R\""),
        ),
        (
            "unknown market",
            edit("\"sigma\"", "\"vix\":[1,{\"a\":null}],\"sigma\""),
        ),
        (
            "unknown nested",
            edit(
                "{\"market_state\"",
                &format!("{{\"deep\":{nested},\"market_state\""),
            ),
        ),
        (
            "unknown bad json",
            edit("{\"market_state\"", "{\"extra\":[1,],\"market_state\""),
        ),
        (
            "unknown bad number",
            edit("{\"market_state\"", "{\"extra\":01,\"market_state\""),
        ),
        (
            "unknown NaN",
            edit("{\"market_state\"", "{\"extra\":NaN,\"market_state\""),
        ),
        (
            "unknown huge",
            edit("{\"market_state\"", "{\"extra\":1e999,\"market_state\""),
        ),
        // Bytes.
        ("non-UTF-8 symbol", non_utf8_symbol),
        ("non-UTF-8 outside", non_utf8_outside),
        ("BOM", format!("\u{feff}{GOOD}").into_bytes()),
        ("NUL byte", format!("{GOOD}\0").into_bytes()),
        // Trailing garbage.
        ("trailing x", format!("{GOOD} x").into_bytes()),
        ("trailing object", format!("{GOOD}{{}}").into_bytes()),
        ("trailing comma", format!("{GOOD},").into_bytes()),
        ("trailing comma in object", edit("1.42}", "1.42,}")),
        ("missing colon", edit("\"qty\":", "\"qty\" ")),
        ("single quotes", edit("\"LONG\"", "'LONG'")),
        // Not numbers.
        ("NaN", with_pnl("NaN")),
        ("nan", with_pnl("nan")),
        ("Infinity", with_pnl("Infinity")),
        ("-Infinity", with_pnl("-Infinity")),
        ("NaN string", with_pnl("\"NaN\"")),
        ("true", with_pnl("true")),
        // Numbers at the edges.
        ("1e400", with_pnl("1e400")),
        ("-1e400", with_pnl("-1e400")),
        ("1e-400", with_pnl("1e-400")),
        ("-1e-400", with_pnl("-1e-400")),
        ("big int", with_pnl("123456789012345678901234567890")),
        ("u64 max + 1", with_pnl("18446744073709551616")),
        ("u64 max", with_pnl("18446744073709551615")),
        ("i64 min", with_pnl("-9223372036854775808")),
        ("i64 min - 1", with_pnl("-9223372036854775809")),
        ("-0", with_pnl("-0")),
        ("-0.0", with_pnl("-0.0")),
        ("0", with_pnl("0")),
        ("1E2", with_pnl("1E2")),
        ("1e+2", with_pnl("1e+2")),
        ("0.5e1", with_pnl("0.5e1")),
        (
            "many digits",
            with_pnl("88.710000000000000000000000000000000000000000000000000001"),
        ),
        ("huge exponent zero", with_pnl("0e999999999999999999")),
        ("huge exponent", with_pnl("1e999999999999999999")),
        ("tiny exponent", with_pnl("1e-999999999999999999")),
        ("subnormal", with_pnl("4.9406564584124654e-324")),
        ("max", with_pnl("1.7976931348623157e308")),
        ("over max", with_pnl("1.7976931348623159e308")),
        ("leading zero", with_pnl("088.71")),
        ("trailing point", with_pnl("88.")),
        ("leading point", with_pnl(".5")),
        ("plus", with_pnl("+88.71")),
        ("lone minus", with_pnl("-")),
        ("exponent without digits", with_pnl("1e")),
        ("double minus", with_pnl("--1")),
        ("hex", with_pnl("0x10")),
        // Duplicate keys.
        (
            "duplicate position",
            format!("{},\"position\":{{}}}}", &GOOD[..GOOD.len() - 1]).into_bytes(),
        ),
        (
            "duplicate entry_price",
            edit(entry, &format!("{entry},{entry}")),
        ),
        (
            "duplicate theta field",
            edit("1.42}", "1.42,\"lock_R\":1.5}"),
        ),
        (
            "duplicate market_state",
            edit("{\"market_state\"", "{\"market_state\":{},\"market_state\""),
        ),
        (
            "duplicate unknown",
            edit("{\"market_state\"", "{\"x\":1,\"x\":2,\"market_state\""),
        ),
        // Strings.
        ("escaped symbol", edit("ETHUSDT", "ETH\\u0055SDT")),
        ("quote in symbol", edit("ETHUSDT", "ETH\\\"X")),
        ("escaped key", edit("\"qty\"", "\"q\\u0074y\"")),
        ("lone surrogate", edit("ETHUSDT", "\\ud800")),
        ("surrogate pair", edit("ETHUSDT", "\\uD83D\\uDE00")),
        ("bad escape", edit("ETHUSDT", "\\x41")),
        ("raw tab in symbol", edit("ETHUSDT", "ETH\tUSDT")),
        ("non-ASCII symbol", edit("ETHUSDT", "ÄÖ€-😀")),
        ("DEL in symbol", edit("ETHUSDT", "ETH\u{7f}")),
        ("empty symbol", edit("\"ETHUSDT\"", "\"\"")),
        ("side escaped", edit("\"LONG\"", "\"L\\u004fNG\"")),
        // The kernel's own errors and warnings.
        ("entry_price negative", edit(entry, "\"entry_price\":-1")),
        ("p_trend 2", edit("\"p_trend\":0.33", "\"p_trend\":2")),
        (
            "sigma_ref 0",
            edit("{\"lock_R\":1.42}", "{\"sigma_ref\":0}"),
        ),
        (
            "thresholds unordered",
            edit("{\"lock_R\":1.42}", "{\"T2_R\":1.0}"),
        ),
        ("u1 overflow", edit("{\"lock_R\":1.42}", "{\"u1\":800}")),
        ("risk unit overflow", edit(entry, "\"entry_price\":1e308")),
    ]
}
