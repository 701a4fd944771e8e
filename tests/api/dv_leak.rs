//! Issue 13, "what must be shown": a domestic-violence case never leaks.
//!
//! Cases are made by every path a victim's details enter the service (a call carded DV; calls
//! carded unclassified and categorised DV later; a follow-up and the callback it raises; a
//! missed call, a new call and SMS from a DV number; referrals with notes; the EMIU risk form,
//! measures and report; safe contact), each with its own marker strings. Then a driver, an
//! alarm receiver, the telephony token and a dispatcher who handles none of the cases call
//! **every** route of the served OpenAPI document (so a new route is covered without touching
//! this file) and open the websocket (live, snapshot, replay from 0). No marker may appear in
//! any answer or frame.
//!
//! What counts as a marker: every text written into a case (notes, addresses, referral notes,
//! the EMIU measure and report, SMS bodies, follow-up reasons), every phone number tied to a
//! case (as its national digits, so `+40…`, `40…` and `0…` all match), the victims'
//! coordinates and the EMIU risk answers. For the machines and the driver the ids of the cases
//! are markers too (they must not even learn that a case exists; a driver may know the id of
//! what is assigned to their vehicle). For the dispatcher, ids are markers only in the answer
//! to a request that carried a marker: looking a DV number up must not point at its case.
//! A marker the viewer sent in its own request does not count when it comes back.
//!
//! The dispatcher never becomes the handler of a marked case: acknowledging is how a
//! dispatcher takes a case (and then rightly sees it in full), so they acknowledge only cases
//! someone else already took, which must be refused without leaking.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use dispecer::access::Role;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::emergency::{app_with, queue_items, register_device, webhook};
use crate::helpers::{alarm, TestApp, WsClient};

/// Shown in the failure message at most; the count of the rest is given.
const MAX_LINES: usize = 200;

/// Something only the case's handler, EMIU and supervisors may read.
struct Marker {
    /// What it is, for the failure message ("A: the victim's address").
    what: String,
    /// The string looked for in answers and frames.
    needle: String,
}

/// Every marked thing the arrangement made.
#[derive(Default)]
struct World {
    markers: Vec<Marker>,
    /// Every marked item (the cases and what derives from them): id and a label.
    items: Vec<(String, String)>,
    /// Marked items someone has acknowledged: the only ones the probing dispatcher may try to
    /// acknowledge (and must be refused).
    handled: HashSet<String>,
    /// Marked items assigned to the driver's vehicle.
    drivers_items: HashSet<String>,
    referrals: Vec<(String, String)>,
    devices: Vec<(String, String)>,
    resources: Vec<(String, String)>,
    /// Every phone number tied to a case, as stored.
    phones: Vec<String>,
    addresses: Vec<String>,
    /// A victim's position (lon, lat).
    place: (f64, f64),
    today: String,
}

impl World {
    fn text(&mut self, what: &str, needle: &str) -> String {
        self.markers.push(Marker {
            what: what.into(),
            needle: needle.into(),
        });
        needle.to_owned()
    }

    /// A phone number tied to a case; its national digits are the marker.
    fn phone(&mut self, what: &str, number: &str) -> String {
        let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
        let national = digits[digits.len() - 9..].to_owned();
        self.markers.push(Marker {
            what: what.into(),
            needle: national,
        });
        self.phones.push(number.into());
        number.to_owned()
    }

    fn address(&mut self, what: &str, marker: &str) -> String {
        self.text(what, marker);
        let address = format!("Strada {marker} 7, Timișoara");
        self.addresses.push(address.clone());
        address
    }

    fn coordinates(&mut self, what: &str, lon: f64, lat: f64) {
        self.text(&format!("{what} (longitude)"), &lon.to_string());
        self.text(&format!("{what} (latitude)"), &lat.to_string());
    }

    fn item(&mut self, id: &str, label: &str) -> String {
        self.items.push((id.into(), label.into()));
        id.to_owned()
    }
}

/// Someone who must learn nothing of the marked cases.
struct Viewer {
    name: &'static str,
    token: String,
    /// The dispatcher who handles none of the cases: they may know that a case exists (its id,
    /// its redacted card), nothing more.
    dispatcher: bool,
    /// Marked items assigned to this viewer's vehicle: their ids are the viewer's to know.
    own_items: HashSet<String>,
    /// Distinguishes what this viewer creates while probing (resources, alarms).
    n: usize,
}

/// What leaked: one line per viewer, route and marker.
#[derive(Default)]
struct Findings {
    seen: BTreeSet<(String, String, String)>,
    lines: Vec<String>,
    hits: usize,
}

impl Findings {
    /// Looks for every marker in `answer`; `request` is everything the viewer sent.
    fn scan(
        &mut self,
        world: &World,
        viewer: &Viewer,
        route: &str,
        example: &str,
        request: &str,
        answer: &str,
    ) {
        let supplied = world.markers.iter().any(|m| request.contains(&m.needle));
        let ids_count = !viewer.dispatcher || supplied;
        let ids = world
            .items
            .iter()
            .filter(|_| ids_count)
            .filter(|(id, _)| !viewer.own_items.contains(id))
            .map(|(id, label)| (format!("the id of {label}"), id.as_str()));
        let markers = world
            .markers
            .iter()
            .map(|m| (m.what.clone(), m.needle.as_str()))
            .chain(ids);
        for (what, needle) in markers {
            if answer.contains(needle) && !request.contains(needle) {
                self.add(viewer.name, route, &what, example);
            }
        }
    }

    fn add(&mut self, viewer: &str, route: &str, what: &str, example: &str) {
        self.hits += 1;
        if self.seen.insert((viewer.into(), route.into(), what.into())) {
            self.lines
                .push(format!("{viewer} | {route} | {what} | e.g. {example}"));
        }
    }
}

/// The cases later steps build on, and their numbers.
#[derive(Default)]
struct Cases {
    a: String,
    b: String,
    number_b: String,
    number_c: String,
    d: String,
    number_d: String,
}

// --- Arrange --------------------------------------------------------------------------------

/// The answer's JSON after checking its status (the arrangement must work, or the test proves
/// nothing).
async fn expect(r: reqwest::Response, status: u16, what: &str) -> Value {
    let got = r.status().as_u16();
    let text = r.text().await.expect("body");
    assert_eq!(got, status, "arranging: {what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// The id of the open item `pred` picks (polling the supervisor's queue briefly).
async fn find_item(app: &TestApp, what: &str, pred: impl Fn(&Value) -> bool) -> String {
    for _ in 0..200 {
        if let Some(i) = queue_items(app).await.into_iter().find(|i| pred(i)) {
            return id_of(&i);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("arranging: {what} never reached the queue");
}

fn caller_is(item: &Value, number: &str) -> bool {
    item["kind"] == "call" && item["details"]["caller_number"] == number
}

async fn call_as_handler(app: &TestApp, body: Value, what: &str) -> String {
    id_of(
        &expect(
            app.post_as(Role::Dispatcher, "/api/v1/calls", &body).await,
            201,
            what,
        )
        .await,
    )
}

/// The handler (the `test-dispatcher` token) acts on an item.
async fn handler(app: &TestApp, id: &str, action: &str, body: Value) -> Value {
    expect(
        app.act(id, action, body).await,
        if matches!(action, "referrals" | "follow-ups") {
            201
        } else {
            200
        },
        action,
    )
    .await
}

async fn emiu(app: &TestApp, id: &str, what: &str, body: Value) -> Value {
    let path = format!("/api/v1/emiu/cases/{id}/{what}");
    expect(app.post_as(Role::Emiu, &path, &body).await, 200, what).await
}

/// Registers what the cases need: the EMIU team, the driver's vehicle, a free van, a shelter, a
/// TeleAsistență device, the driver and the second dispatcher.
async fn arrange_registries(app: &TestApp, w: &mut World) {
    for (id, kind, name) in [
        ("EMIU-1", "emiu_team", "Echipa EMIU 1"),
        ("SOFER-01", "vehicle", "Dacia TM-01-DAS"),
        ("VAN-FREE", "vehicle", "Dacia TM-02-DAS"),
    ] {
        let body = json!({ "id": id, "kind": kind, "name": name });
        expect(
            app.post_as(Role::Supervisor, "/api/v1/resources", &body)
                .await,
            201,
            "register a resource",
        )
        .await;
        w.resources.push((id.into(), id.into()));
    }
    crate::beds::add_dv_shelter(app, "ADP-LEAK", "Adăpost test", 3, 3).await;
    register_device(app, "TA-LEAK", "+40799000051", 86_400).await;
    w.devices.push(("TA-LEAK".into(), "TA-LEAK".into()));
    app.add_user("sofer1", Role::Driver, Some("SOFER-01")).await;
    app.add_user("dispecer2", Role::Dispatcher, None).await;
}

/// Case A: a call carded domestic violence, worked by its handler and the EMIU team.
async fn arrange_case_a(app: &TestApp, w: &mut World, cases: &mut Cases) {
    let number = w.phone("A: the victim's number", "+40721937461");
    let address = w.address("A: the victim's address", "MRK-A-ADDR-7f3a");
    w.coordinates("A: the victim's position", 21.219837, 45.761294);
    w.place = (21.219837, 45.761294);
    let notes = w.text("A: the call's notes", "MRK-A-CALLNOTE-91c2");
    let a = call_as_handler(
        app,
        json!({
            "caller_number": number,
            "category": "domestic_violence",
            "immediate_danger": true,
            "location": { "address": address, "lon": 21.219837, "lat": 45.761294 },
            "notes": notes,
        }),
        "case A",
    )
    .await;
    w.item(&a, "A (call carded DV)");
    handler(app, &a, "acknowledge", json!({})).await;
    w.handled.insert(a.clone());
    let note = w.text("A: the handler's note", "MRK-A-HANDLERNOTE-c41d");
    handler(app, &a, "notes", json!({ "text": note })).await;
    let step = w.text("A: a step's note", "MRK-A-STEPNOTE-5b0e");
    handler(
        app,
        &a,
        "steps",
        json!({ "step": "called_112", "answered": true, "note": step }),
    )
    .await;
    // Two referrals: one the service acknowledged (through the handler), one still open.
    for (n, marker) in [(1, "MRK-A-REFNOTE1-77aa"), (2, "MRK-A-REFNOTE2-e3d9")] {
        let note = w.text(&format!("A: referral {n}'s note"), marker);
        let r = handler(
            app,
            &a,
            "referrals",
            json!({ "service": "domestic-violence-complex", "note": note }),
        )
        .await;
        w.referrals.push((id_of(&r), format!("A's referral {n}")));
    }
    let first = w.referrals[0].0.clone();
    expect(
        app.post_as(
            Role::Dispatcher,
            &format!("/api/v1/referrals/{first}/acknowledge"),
            &json!({}),
        )
        .await,
        200,
        "the service acknowledges referral 1",
    )
    .await;
    // A follow-up for tomorrow, to another number of the victim.
    let other = w.phone("A: the victim's second number", "+40721937462");
    let reason = w.text("A: a follow-up's reason", "MRK-A-FUREASON-0d6f");
    handler(
        app,
        &a,
        "follow-ups",
        json!({ "in_s": 86_400, "phone": other, "reason": reason }),
    )
    .await;
    // The EMIU team: dispatched, assesses the risk, places the victim, reports.
    handler(app, &a, "assign", json!({ "resources": ["EMIU-1"] })).await;
    let risk = emiu(
        app,
        &a,
        "risk",
        json!({ "yes": ["threat_to_kill", "strangulation"] }),
    )
    .await;
    let yes = format!("\"yes\":{}", risk["assessment"]["yes"]);
    w.text("A: the EMIU risk answers", &yes);
    let measure = w.text("A: an EMIU measure's note", "MRK-A-MEASURE-2a8b");
    emiu(
        app,
        &a,
        "measures",
        json!({ "measure": "shelter_placement", "shelter_id": "ADP-LEAK", "note": measure }),
    )
    .await;
    let report = w.text("A: the EMIU report", "MRK-A-REPORT-6e1c");
    emiu(app, &a, "report", json!({ "text": report })).await;
    // The EMIU procedure (issue 17): the police's request, the aggressor's accommodation, a
    // re-assessment with the team's judgement, orders, legal steps, a hazard, the children.
    let opp = w.text("A: the OPP number", "MRK-A-OPP-8c1f");
    let police_note = w.text("A: the police request's note", "MRK-A-POLICENOTE-d20e");
    emiu(
        app,
        &a,
        "police-request",
        json!({ "opp_number": opp, "accommodation_requested": true, "note": police_note }),
    )
    .await;
    emiu(app, &a, "on-scene", json!({})).await;
    let place = w.text("A: where the aggressor went", "MRK-A-AGGRPLACE-51b9");
    emiu(
        app,
        &a,
        "aggressor-accommodation",
        json!({ "place": place }),
    )
    .await;
    let incident = w.text("A: the new incident", "MRK-A-INCIDENT-0a4d");
    let judgement = w.text("A: the override's reason", "MRK-A-OVERRIDE-77e3");
    emiu(
        app,
        &a,
        "risk",
        json!({ "yes": ["victim_fears"], "override_level": "high", "override_reason": judgement, "incident": incident }),
    )
    .await;
    let number = w.text("A: the protection order's number", "MRK-A-ORDERNO-3f6a");
    let covered = w.text("A: a person the order covers", "MRK-A-COVERED-b7c2");
    let today = chrono::Utc::now().date_naive();
    emiu(
        app,
        &a,
        "protection-orders",
        json!({ "order": "op", "number": number, "issued_on": today, "expires_on": today + chrono::Days::new(180), "people_covered": [covered], "minors": 1 }),
    )
    .await;
    let reference = w.text("A: a legal step's reference", "MRK-A-LEGALREF-e98d");
    emiu(
        app,
        &a,
        "legal-steps",
        json!({ "step": "forensic_certificate", "date": today, "reference": reference }),
    )
    .await;
    let hazard = w.text("A: a hazard at the address", "MRK-A-HAZARD-4c0b");
    emiu(
        app,
        &a,
        "hazards",
        json!({ "hazard": "weapons", "note": hazard }),
    )
    .await;
    emiu(app, &a, "children", json!({ "count": 2 })).await;
    cases.a = a;
}

/// Cases B and B2: calls carded unclassified (every phone call is) and categorised domestic
/// violence later; B from the provider's webhook, B2 typed in with an address and notes.
async fn arrange_cases_b(app: &TestApp, w: &mut World, cases: &mut Cases) {
    let number = w.phone("B: the victim's number", "+40722846153");
    let params = [
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("CallSid", "CA-LEAK-B"),
        ("From", number.as_str()),
        ("To", "+40256000112"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
    ];
    expect(
        webhook(app, "/telephony/voice", &params).await,
        200,
        "call B",
    )
    .await;
    let b = find_item(app, "call B", |i| caller_is(i, &number)).await;
    w.item(&b, "B (phone call categorised DV later)");
    cases.b = b.clone();
    cases.number_b = number;
    handler(app, &b, "acknowledge", json!({})).await;
    w.handled.insert(b.clone());
    let note = w.text("B: the handler's note", "MRK-B-HANDLERNOTE-4f20");
    handler(app, &b, "notes", json!({ "text": note })).await;
    handler(
        app,
        &b,
        "categorise",
        json!({ "category": "domestic_violence" }),
    )
    .await;

    let number = w.phone("B2: the victim's number", "+40723519084");
    let address = w.address("B2: the victim's address", "MRK-B2-ADDR-a5c7");
    w.coordinates("B2: the victim's position", 21.231577, 45.747329);
    let notes = w.text("B2: the call's notes", "MRK-B2-CALLNOTE-3b6e");
    let b2 = call_as_handler(
        app,
        json!({
            "caller_number": number,
            "category": "unclassified",
            "immediate_danger": false,
            "location": { "address": address, "lon": 21.231577, "lat": 45.747329 },
            "notes": notes,
        }),
        "call B2",
    )
    .await;
    w.item(&b2, "B2 (call categorised DV later)");
    handler(app, &b2, "acknowledge", json!({})).await;
    w.handled.insert(b2.clone());
    handler(
        app,
        &b2,
        "categorise",
        json!({ "category": "domestic_violence" }),
    )
    .await;
    let note = w.text("B2: the handler's note", "MRK-B2-HANDLERNOTE-8d14");
    handler(app, &b2, "notes", json!({ "text": note })).await;
}

/// Case C, closed (so an SMS from its number later makes a new card); case D, marked safe
/// contact with a second number.
async fn arrange_cases_c_d(app: &TestApp, w: &mut World, cases: &mut Cases) {
    let number_c = w.phone("C: the victim's number", "+40724608317");
    let notes = w.text("C: the call's notes", "MRK-C-CALLNOTE-b912");
    let c = call_as_handler(
        app,
        json!({ "caller_number": number_c, "category": "domestic_violence", "immediate_danger": false, "notes": notes }),
        "case C",
    )
    .await;
    w.item(&c, "C (closed DV call)");
    handler(app, &c, "acknowledge", json!({})).await;
    w.handled.insert(c.clone());
    handler(app, &c, "close", json!({ "outcome": "advice_given" })).await;

    let number_d = w.phone("D: the victim's number", "+40725370926");
    let notes = w.text("D: the call's notes", "MRK-D-CALLNOTE-60fa");
    let d = call_as_handler(
        app,
        json!({ "caller_number": number_d, "category": "domestic_violence", "immediate_danger": true, "notes": notes }),
        "case D",
    )
    .await;
    w.item(&d, "D (DV call, safe contact)");
    handler(app, &d, "acknowledge", json!({})).await;
    w.handled.insert(d.clone());
    let second = w.phone("D: the victim's second number", "+40725370927");
    handler(app, &d, "safe-contact", json!({ "phones": [second] })).await;
    cases.number_c = number_c;
    cases.d = d;
    cases.number_d = number_d;
}

/// What happens while the viewers' websockets are open: new notes and reports on a case, a
/// follow-up falling due (its callback assigned to the driver's vehicle), a missed call, new
/// calls and SMS from DV numbers.
async fn arrange_live(app: &TestApp, w: &mut World, cases: &Cases) {
    let (a, number_b, number_c, number_d) = (
        cases.a.as_str(),
        cases.number_b.as_str(),
        cases.number_c.as_str(),
        cases.number_d.as_str(),
    );
    let note = w.text("A: a note added live", "MRK-LIVE-HANDLERNOTE-1e5d");
    handler(app, a, "notes", json!({ "text": note })).await;
    let report = w.text("A: an EMIU report filed live", "MRK-LIVE-REPORT-9a3c");
    emiu(app, a, "report", json!({ "text": report })).await;

    // A keep-in-contact follow-up due now: the callback item to the victim's number.
    let reason = w.text("A: the due follow-up's reason", "MRK-A-FUNOW-5c2e");
    handler(app, a, "follow-ups", json!({ "in_s": 0, "reason": reason })).await;
    let mut callback = None;
    for _ in 0..200 {
        let list = expect(
            app.get_as(Role::Dispatcher, &format!("/api/v1/items/{a}/follow-ups"))
                .await,
            200,
            "A's follow-ups",
        )
        .await;
        callback = list["follow_ups"]
            .as_array()
            .expect("follow-ups")
            .iter()
            .find(|f| f["reason"] == reason.as_str() && f["state"] == "raised")
            .and_then(|f| f["callback_item"].as_str())
            .map(str::to_owned);
        if callback.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let cb = callback.expect("arranging: the due follow-up raised its callback within 5 s");
    w.item(&cb, "A's follow-up callback");
    handler(app, &cb, "acknowledge", json!({})).await;
    w.handled.insert(cb.clone());
    handler(app, &cb, "assign", json!({ "resources": ["SOFER-01"] })).await;
    w.drivers_items.insert(cb.clone());

    // B's number calls again and nobody answers: a new card and a missed-call callback; then
    // an SMS from it (a note on the newest open item of that number).
    let voice = [
        ("CallSid", "CA-LEAK-B2"),
        ("From", number_b),
        ("To", "+40256000112"),
        ("CallStatus", "ringing"),
    ];
    expect(
        webhook(app, "/telephony/voice", &voice).await,
        200,
        "B calls again",
    )
    .await;
    // Found while it rings: the missed call settles it (closed, `missed_call`).
    let card = find_item(app, "B's new call", |i| {
        caller_is(i, number_b) && i["id"] != cases.b.as_str()
    })
    .await;
    w.item(&card, "a new call from B's number");
    let status = [("CallSid", "CA-LEAK-B2"), ("QueueResult", "hangup")];
    expect(
        webhook(app, "/telephony/voice/status", &status).await,
        200,
        "B's call missed",
    )
    .await;
    let cb_b = find_item(app, "B's missed-call callback", |i| {
        i["kind"] == "callback" && i["details"]["phone"] == number_b
    })
    .await;
    w.item(&cb_b, "the missed-call callback to B's number");
    let sms_b = w.text("an SMS from B's number", "MRK-SMS-B-7c90");
    let sms = [
        ("MessageSid", "SM-LEAK-B"),
        ("From", number_b),
        ("Body", sms_b.as_str()),
    ];
    expect(
        webhook(app, "/telephony/sms", &sms).await,
        200,
        "SMS from B",
    )
    .await;

    // An SMS from the closed case C's number: a new card.
    let sms_c = w.text("an SMS from C's number", "MRK-SMS-C-d4e1");
    let sms = [
        ("MessageSid", "SM-LEAK-C"),
        ("From", number_c),
        ("Body", sms_c.as_str()),
    ];
    expect(
        webhook(app, "/telephony/sms", &sms).await,
        200,
        "SMS from C",
    )
    .await;
    let card_c = find_item(app, "the SMS card from C's number", |i| {
        caller_is(i, number_c)
    })
    .await;
    w.item(&card_c, "an SMS card from C's number");

    // The safe-contact number of D calls and nobody answers: a card, no callback.
    let voice = [
        ("CallSid", "CA-LEAK-D"),
        ("From", number_d),
        ("To", "+40256000112"),
        ("CallStatus", "ringing"),
    ];
    expect(
        webhook(app, "/telephony/voice", &voice).await,
        200,
        "D calls again",
    )
    .await;
    expect(
        webhook(app, "/telephony/voice/hold", &[("CallSid", "CA-LEAK-D")]).await,
        200,
        "D is held",
    )
    .await;
    let card_d = find_item(app, "D's new call", |i| {
        caller_is(i, number_d) && i["id"] != cases.d.as_str()
    })
    .await;
    w.item(&card_d, "a new call from D's (safe-contact) number");
    let status = [("CallSid", "CA-LEAK-D"), ("QueueResult", "hangup")];
    expect(
        webhook(app, "/telephony/voice/status", &status).await,
        200,
        "D's call missed",
    )
    .await;
}

// --- Websockets -----------------------------------------------------------------------------

type WsSink = SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

/// A websocket read by its own task, so it never stops reading while the test does other
/// things (a client that does not read is disconnected).
struct Socket {
    sink: WsSink,
    frames: mpsc::UnboundedReceiver<String>,
}

impl Socket {
    fn new(ws: WsClient) -> Self {
        let (sink, mut stream) = ws.socket.split();
        let (tx, frames) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                if let Message::Text(t) = msg {
                    if tx.send(t.to_string()).is_err() {
                        break;
                    }
                }
            }
        });
        Self { sink, frames }
    }

    async fn next(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(5), self.frames.recv())
            .await
            .expect("a websocket frame within 5 s")
            .expect("the websocket is open")
    }

    /// Every frame until the server has passed event `target`: a pong carries the last
    /// sequence number the connection handled, and comes after the frames of the events
    /// before it.
    async fn frames_until(&mut self, target: i64) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..200 {
            self.sink
                .send(Message::Text(r#"{"type":"ping"}"#.into()))
                .await
                .expect("ping");
            loop {
                let frame = self.next().await;
                let v: Value = serde_json::from_str(&frame).unwrap_or(Value::Null);
                if v["type"] == "pong" {
                    if v["seq"].as_i64().unwrap_or(0) >= target {
                        return out;
                    }
                    break;
                }
                out.push(frame);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the websocket did not pass event {target} within 200 pings");
    }
}

/// The last committed sequence number.
async fn head(app: &TestApp) -> i64 {
    let q: Value = app
        .get_as(Role::Supervisor, "/api/v1/queue")
        .await
        .json()
        .await
        .expect("queue");
    q["seq"].as_i64().expect("seq")
}

async fn open(app: &TestApp, viewer: &Viewer, after_seq: Option<i64>) -> Socket {
    match app.ws_connect_token(&viewer.token, after_seq).await {
        Ok(ws) => Socket::new(ws),
        Err(e) => panic!("{} could not open the websocket: {e}", viewer.name),
    }
}

fn scan_frames(
    findings: &mut Findings,
    w: &World,
    viewer: &Viewer,
    route: &str,
    frames: &[String],
) {
    for f in frames {
        let kind: Value = serde_json::from_str(f).unwrap_or(Value::Null);
        let example = match kind["type"].as_str() {
            Some("event") => format!("event {}", kind["event"]["type"]),
            Some(other) => other.to_owned(),
            None => "frame".into(),
        };
        findings.scan(w, viewer, route, &example, "", f);
    }
}

// --- Every route of the document ------------------------------------------------------------

enum Body {
    None,
    Json(Value),
    Form(Vec<(&'static str, String)>),
}

impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::None => Ok(()),
            Body::Json(v) => write!(f, "{v}"),
            Body::Form(p) => write!(f, "{p:?}"),
        }
    }
}

/// The values tried for a path parameter: every id of its kind, by the path's prefix; a route
/// this test does not know gets every marked item id (the likeliest to reach the data).
fn path_values(
    w: &World,
    viewer: &Viewer,
    method: &str,
    template: &str,
    param: &str,
) -> Vec<(String, String)> {
    let placeholder = || vec![("NONE-1".to_owned(), "an unknown id".to_owned())];
    match param {
        "date" => return vec![(w.today.clone(), "today".into())],
        "level" => return vec![("2".into(), "2".into())],
        _ => {}
    }
    if template.starts_with("/api/v1/referrals/") {
        return w.referrals.clone();
    }
    if template.starts_with("/api/v1/teleasistenta/devices/") {
        return w.devices.clone();
    }
    if template.starts_with("/api/v1/resources/") {
        return w.resources.clone();
    }
    if template.starts_with("/api/v1/transport/") {
        // No transport data is tied to a case here: a trip for a victim is not among the
        // paths this test makes.
        return placeholder();
    }
    let mut ids = w.items.clone();
    if viewer.dispatcher && method == "post" && template.ends_with("/acknowledge") {
        // Acknowledging takes the case: only cases someone else took (it must be refused).
        ids.retain(|(id, _)| w.handled.contains(id));
    }
    ids
}

/// The query strings tried: required parameters filled with values that reach the data (each
/// DV number for `phone`, each victim's address for `q`, a victim's position for points).
fn query_variants(w: &World, template: &str, op: &Value) -> Vec<Vec<(String, String)>> {
    let mut variants: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    for p in params.iter().filter(|p| p["in"] == "query") {
        let name = p["name"].as_str().unwrap_or("");
        let required = p["required"].as_bool().unwrap_or(false);
        let (lon, lat) = w.place;
        let values: Vec<String> = match name {
            "phone" => w.phones.clone(),
            "q" => w.addresses.clone(),
            "lon" => vec![lon.to_string()],
            "lat" => vec![lat.to_string()],
            "from" | "to" if template == "/api/v1/route" => vec![format!("{lon},{lat}")],
            "from" | "to" | "date" => vec![w.today.clone()],
            "vehicle" => vec!["VAN-FREE".into()],
            "hours" => vec!["24".into()],
            "limit" => vec!["5".into()],
            "after_seq" => vec!["0".into()],
            _ if required => vec!["1".into()],
            _ => continue,
        };
        variants = variants
            .into_iter()
            .flat_map(|q| {
                values.iter().map(move |v| {
                    let mut q = q.clone();
                    q.push((name.to_owned(), v.clone()));
                    q
                })
            })
            .collect();
    }
    variants
}

/// Bodies that would succeed if the viewer were allowed, beside `{}`.
fn plausible_bodies(w: &World, viewer: &Viewer, template: &str) -> Vec<Value> {
    let last = template.rsplit('/').next().unwrap_or("");
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    match (template, last) {
        ("/api/v1/alerts", _) => vec![alarm("TA-LEAK", "button", &format!("probe-{}", viewer.n))],
        ("/api/v1/calls", _) => {
            let mut v = vec![json!({ "category": "other", "immediate_danger": false })];
            if !viewer.dispatcher {
                // A new call from a DV number, as the telephony integration would post it.
                v.push(json!({ "caller_number": w.phones[0], "category": "other", "immediate_danger": false }));
            }
            v
        }
        ("/api/v1/bookings", _) => vec![json!({
            "rider": "R-1",
            "pickup": { "address": "A" },
            "dropoff": { "address": "B" },
            "window": { "start": tomorrow, "end": tomorrow + chrono::Duration::minutes(30) },
        })],
        ("/api/v1/resources", _) => vec![json!({
            "id": format!("VAN-PROBE-{}", viewer.n),
            "kind": "vehicle",
            "name": "Van",
        })],
        ("/api/v1/teleasistenta/checkins", _) => {
            vec![json!({ "device_id": "TA-LEAK", "battery_pct": 80 })]
        }
        (_, "assign") => vec![json!({ "resources": ["VAN-FREE"] })],
        (_, "close") => vec![json!({ "outcome": "other" })],
        (_, "notes") => vec![json!({ "text": "x" })],
        (_, "categorise") => vec![json!({ "category": "domestic_violence" })],
        (_, "follow-ups") => vec![json!({ "in_s": 86_400, "reason": "x" })],
        (_, "referrals") => vec![json!({ "service": "domestic-violence-complex", "note": "x" })],
        (_, "steps") => {
            vec![json!({ "step": "called_beneficiary", "answered": true, "note": "x" })]
        }
        (_, "risk") => vec![json!({ "yes": ["weapon"] })],
        (_, "measures") => vec![json!({ "measure": "police_notified", "note": "x" })],
        (_, "report") => vec![json!({ "text": "x" })],
        (_, "status") => vec![json!({ "status": "on_scene" })],
        (_, "position") => vec![json!({ "lon": 21.25, "lat": 45.74 })],
        _ => Vec::new(),
    }
}

fn bodies(w: &World, viewer: &Viewer, template: &str, op: &Value) -> Vec<Body> {
    let content = &op["requestBody"]["content"];
    if content.get("application/x-www-form-urlencoded").is_some() {
        // The provider's webhooks, posted unsigned by the viewer (403); the signed ones were
        // posted by the arrangement.
        return vec![Body::Form(vec![
            ("CallSid", "CA-PROBE".into()),
            ("MessageSid", "SM-PROBE".into()),
            ("From", w.phones[0].clone()),
            ("Body", "x".into()),
            ("QueueResult", "hangup".into()),
        ])];
    }
    if content.get("application/json").is_none() {
        return vec![Body::None];
    }
    let mut out = vec![Body::Json(json!({}))];
    out.extend(
        plausible_bodies(w, viewer, template)
            .into_iter()
            .map(Body::Json),
    );
    out
}

/// Every (method, path) of the document, reads first, closing last (so a viewer wrongly
/// allowed to change things still reads the cases as they were).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "patch", "delete"] {
            if let Some(op) = item.get(method) {
                ops.push((method.to_owned(), template.clone(), op.clone()));
            }
        }
    }
    ops.sort_by_key(|(m, t, _)| (m != "get", t.ends_with("/close")));
    ops
}

/// Fills the path's parameters: every combination of their values.
fn expand_path(w: &World, viewer: &Viewer, method: &str, template: &str) -> Vec<(String, String)> {
    let mut out = vec![(template.to_owned(), template.to_owned())];
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("closing brace") + start;
        let param = &rest[start + 1..end];
        let hole = format!("{{{param}}}");
        let values = path_values(w, viewer, method, template, param);
        out = out
            .into_iter()
            .flat_map(|(path, label)| {
                let hole = hole.clone();
                values.iter().map(move |(v, l)| {
                    (
                        path.replacen(&hole, v, 1),
                        label.replacen(&hole, &format!("{{{l}}}"), 1),
                    )
                })
            })
            .collect();
        rest = &rest[end + 1..];
    }
    out
}

/// Calls every route of the document as `viewer`; returns the routes it called.
async fn probe_every_route(
    app: &TestApp,
    w: &World,
    viewer: &Viewer,
    doc: &Value,
    findings: &mut Findings,
) -> BTreeSet<String> {
    let mut called = BTreeSet::new();
    for (method, template, op) in operations(doc) {
        let route = format!("{} {template}", method.to_uppercase());
        if template == "/api/v1/session" {
            // Logging in or out: the viewer keeps its session.
            continue;
        }
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        for (path, path_label) in expand_path(w, viewer, &method, &template) {
            for query in query_variants(w, &template, &op) {
                for body in bodies(w, viewer, &template, &op) {
                    let mut req = app
                        .client
                        .request(m.clone(), format!("{}{path}", app.address))
                        .bearer_auth(&viewer.token)
                        .query(&query);
                    req = match &body {
                        Body::None => req,
                        Body::Json(v) => req.json(v),
                        Body::Form(f) => req.form(f),
                    };
                    let r = req.send().await.expect("request");
                    let status = r.status().as_u16();
                    let answer =
                        String::from_utf8_lossy(&r.bytes().await.unwrap_or_default()).into_owned();
                    let request = format!("{path} {query:?} {body}");
                    let example = format!(
                        "{path_label}{}{} -> {status}",
                        if query.is_empty() {
                            String::new()
                        } else {
                            format!(" {query:?}")
                        },
                        if matches!(body, Body::None) {
                            String::new()
                        } else {
                            format!(" {body}")
                        },
                    );
                    findings.scan(w, viewer, &route, &example, &request, &answer);
                    called.insert(route.clone());
                }
            }
        }
    }
    called
}

// --- The test -------------------------------------------------------------------------------

#[tokio::test]
async fn no_marker_of_a_domestic_violence_case_reaches_a_driver_a_machine_or_a_dispatcher_not_handling_it(
) {
    // Arrange: the registries, then the cases made before anyone watches.
    let app = app_with(|c| c.referrals.follow_up_interval_ms = 100).await;
    let mut w = World {
        today: chrono::Utc::now().date_naive().to_string(),
        ..World::default()
    };
    arrange_registries(&app, &mut w).await;
    let mut cases = Cases::default();
    arrange_case_a(&app, &mut w, &mut cases).await;
    arrange_cases_b(&app, &mut w, &mut cases).await;
    arrange_cases_c_d(&app, &mut w, &mut cases).await;

    let receiver = Viewer {
        name: "receiver token",
        token: app.token(Role::Receiver).to_owned(),
        dispatcher: false,
        own_items: HashSet::new(),
        n: 1,
    };
    let telephony = Viewer {
        name: "telephony token",
        token: app.token(Role::Telephony).to_owned(),
        dispatcher: false,
        own_items: HashSet::new(),
        n: 2,
    };
    let mut driver = Viewer {
        name: "driver sofer1 (SOFER-01)",
        token: app.login_token("sofer1").await,
        dispatcher: false,
        own_items: HashSet::new(),
        n: 3,
    };
    let dispatcher = Viewer {
        name: "dispatcher dispecer2 (not handling)",
        token: app.login_token("dispecer2").await,
        dispatcher: true,
        own_items: HashSet::new(),
        n: 4,
    };
    let mut findings = Findings::default();

    // The watchers' websockets: their snapshot now, then what happens live.
    let mut live = Vec::new();
    for viewer in [&driver, &dispatcher] {
        let mut socket = open(&app, viewer, None).await;
        let snapshot = socket.next().await;
        live.push((socket, vec![snapshot]));
    }
    arrange_live(&app, &mut w, &cases).await;
    driver.own_items = w.drivers_items.clone();

    // Every marker really is in the cases: the supervisor reads them all.
    let mut everything = String::new();
    for (id, _) in &w.items {
        for path in [
            format!("/api/v1/items/{id}"),
            format!("/api/v1/items/{id}/events"),
            format!("/api/v1/items/{id}/referrals"),
            format!("/api/v1/items/{id}/follow-ups"),
            format!("/api/v1/emiu/cases/{id}"),
        ] {
            everything.push_str(
                &app.get_as(Role::Supervisor, &path)
                    .await
                    .text()
                    .await
                    .unwrap(),
            );
        }
    }
    for m in &w.markers {
        assert!(
            everything.contains(&m.needle),
            "{} ({}) is not in the cases as a supervisor reads them: the test would prove nothing",
            m.what,
            m.needle
        );
    }

    // Act + Assert, websockets: live, snapshot and replay from 0.
    let target = head(&app).await;
    for ((socket, frames), viewer) in live.iter_mut().zip([&driver, &dispatcher]) {
        scan_frames(
            &mut findings,
            &w,
            viewer,
            "GET /ws (snapshot before the live events)",
            &frames[..1],
        );
        let more = socket.frames_until(target).await;
        scan_frames(&mut findings, &w, viewer, "GET /ws (live)", &more);
    }
    for viewer in [&driver, &dispatcher] {
        let mut snapshot = open(&app, viewer, None).await;
        let first = snapshot.next().await;
        scan_frames(&mut findings, &w, viewer, "GET /ws (snapshot)", &[first]);
        let mut replay = open(&app, viewer, Some(0)).await;
        let frames = replay.frames_until(target).await;
        if viewer.dispatcher {
            assert!(
                !frames.is_empty(),
                "a replay from 0 sends a dispatcher events"
            );
        }
        scan_frames(
            &mut findings,
            &w,
            viewer,
            "GET /ws?after_seq=0 (replay)",
            &frames,
        );
    }
    for viewer in [&receiver, &telephony] {
        for after in [None, Some(0)] {
            let answer = match app.ws_connect_token(&viewer.token, after).await {
                Ok(ws) => {
                    let mut socket = Socket::new(ws);
                    socket.frames_until(target).await.join("\n")
                }
                Err(refusal) => refusal,
            };
            findings.scan(
                &w,
                viewer,
                "GET /ws",
                &format!("after_seq={after:?}"),
                "",
                &answer,
            );
        }
    }

    // Act + Assert, HTTP: every route of the document, machines first, the dispatcher last.
    let doc: Value = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let all: BTreeSet<String> = operations(&doc)
        .into_iter()
        .filter(|(_, t, _)| t != "/api/v1/session")
        .map(|(m, t, _)| format!("{} {t}", m.to_uppercase()))
        .collect();
    assert!(
        all.len() > 60,
        "the document lists the routes: {}",
        all.len()
    );
    for viewer in [&receiver, &telephony, &driver, &dispatcher] {
        let called = probe_every_route(&app, &w, viewer, &doc, &mut findings).await;
        let missed: Vec<&String> = all.difference(&called).collect();
        assert!(missed.is_empty(), "{} did not call {missed:?}", viewer.name);
    }
    // What the probing itself changed, as the open websockets got it.
    let target = head(&app).await;
    for ((socket, _), viewer) in live.iter_mut().zip([&driver, &dispatcher]) {
        let more = socket.frames_until(target).await;
        scan_frames(
            &mut findings,
            &w,
            viewer,
            "GET /ws (live, while probing)",
            &more,
        );
    }

    // The read audit: the dispatcher's reads of the cases were never full, the driver's all
    // refused; and they are there.
    let mut dispatcher_reads = 0;
    for (id, label) in &w.items {
        let audit = expect(
            app.get_as(Role::Supervisor, &format!("/api/v1/items/{id}/audit"))
                .await,
            200,
            "audit",
        )
        .await;
        for r in audit["reads"].as_array().expect("reads") {
            let (actor, outcome) = (r["actor"].as_str(), r["outcome"].as_str());
            let action = r["action"].as_str().unwrap_or("");
            if actor == Some("dispecer2") {
                dispatcher_reads += 1;
                if outcome == Some("allowed") {
                    findings.add(
                        dispatcher.name,
                        "read audit",
                        &format!("a full read of {label}"),
                        action,
                    );
                }
            }
            if actor == Some("sofer1") && outcome != Some("refused") {
                findings.add(
                    driver.name,
                    "read audit",
                    &format!("a read of {label} not refused"),
                    action,
                );
            }
        }
    }
    assert!(
        dispatcher_reads > 0,
        "the dispatcher's reads of the cases are in the read audit"
    );

    assert!(
        findings.lines.is_empty(),
        "{} markers leaked ({} viewer/route/marker combinations):\n{}{}",
        findings.hits,
        findings.lines.len(),
        findings.lines[..findings.lines.len().min(MAX_LINES)].join("\n"),
        if findings.lines.len() > MAX_LINES {
            format!("\n… and {} more", findings.lines.len() - MAX_LINES)
        } else {
            String::new()
        }
    );
}
