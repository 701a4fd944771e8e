// Romanian first (the dispatchers' language), English on request. The choice is kept in
// localStorage so it survives a reload and a new login on the same workstation. Keys are
// grouped by screen; vocabulary values from the server (statuses, categories, outcomes) are
// translated through `term`, and an unknown value is shown as sent rather than hidden.

export type Lang = 'ro' | 'en';
const STORAGE_KEY = 'dispecer.lang';

const ro = {
  app_title: 'Dispecerat DAS Timișoara',
  login_title: 'Autentificare dispecerat',
  username: 'Utilizator',
  password: 'Parolă',
  login: 'Intră',
  logout: 'Ieșire',
  login_failed: 'Utilizator sau parolă greșită.',
  connected: 'conectat',
  connecting: 'se conectează…',
  disconnected: 'deconectat — se reîncearcă',
  queue: 'Coada de lucru',
  queue_empty: 'Nicio lucrare deschisă.',
  col_level: 'Nivel',
  col_category: 'Categorie',
  col_kind: 'Tip',
  col_status: 'Stare',
  col_age: 'Vechime',
  col_clock: 'Timp de răspuns',
  breached: 'DEPĂȘIT',
  detail: 'Detalii lucrare',
  select_item: 'Alegeți o lucrare din coadă.',
  priority: 'Prioritate',
  why_level: 'De ce acest nivel',
  why_position: 'De ce această poziție',
  rule: 'regula',
  respond_within: 'răspuns în',
  received: 'Primită',
  deadline: 'Termen',
  handler: 'Preluată de',
  assigned_to: 'Alocată la',
  outcome: 'Rezultat',
  beneficiary: 'Apelant / beneficiar',
  protected: 'date protejate',
  rate_limited: 'peste limita de ritm',
  rate_limited_hint: 'Primită peste limita de ritm a expeditorului și acceptată pentru că este P1: expeditorul (de exemplu receptorul de alarme) trimite prea mult; verificați-l.',
  history: 'Istoric',
  notes: 'Note',
  no_notes: 'Nicio notă.',
  actions: 'Acțiuni',
  acknowledge: 'Preia (confirmă)',
  assign: 'Alocă',
  start: 'Începe intervenția',
  close: 'Închide',
  add_note: 'Adaugă nota',
  note_placeholder: 'Text notă…',
  choose_resources: 'Resurse disponibile',
  none_available: 'Nicio resursă disponibilă.',
  close_with: 'Închide cu rezultatul',
  forbidden: 'Acces refuzat',
  forbidden_text: 'Nu aveți dreptul să deschideți această lucrare.',
  not_found: 'Lucrarea nu există sau a fost închisă.',
  resources: 'Resurse',
  res_name: 'Nume',
  res_position: 'Poziție',
  res_item: 'Lucrare',
  map: 'Hartă',
  map_loading: 'Se încarcă harta…',
  map_unavailable: 'Harta nu este disponibilă.',
  search_address: 'Caută adresa apelantului…',
  search: 'Caută',
  no_results: 'Niciun rezultat.',
  alarm_p1: 'ALARMĂ P1',
  alarm_open: 'Deschide',
  enable_sound: 'Activează sunetul',
  p1_open_on_console: 'Deschide lucrarea pe consolă',
  in_progress_page: 'Pagină în lucru',
  in_progress_text: 'Ecranul pentru rolul dumneavoastră va fi disponibil curând.',
  logged_in_as: 'Autentificat ca',
  language: 'EN',
  language_title: 'Switch to English',
  ago: 'în urmă',
  left: 'rămas',
  over_by: 'depășit cu',
  back_to_queue: 'Înapoi la coadă',
  error: 'Eroare',
  lvl_first: 'primul în coadă',
  lvl_behind_level: 'după {id}: nivel mai mare {a} înaintea lui {b}',
  lvl_behind_deadline: 'după {id}: același nivel {a}, termen mai devreme {t}',
  lvl_behind_arrival: 'după {id}: același nivel și termen, sosită mai devreme',
  level_reason: '{level} după regula „{rule}”: {reason}',
  seats: 'locuri',
  wheelchairs: 'scaune rulante',
  f_device: 'Dispozitiv',
  f_alarm_type: 'Tip alarmă',
  f_device_time: 'Ora dispozitivului',
  f_receiver: 'Receptor',
  f_caller_number: 'Număr apelant',
  f_category: 'Categorie',
  f_immediate_danger: 'Pericol imediat',
  f_address: 'Adresă',
  f_call_notes: 'Observații apel',
  f_rider: 'Beneficiar',
  f_pickup: 'Preluare',
  f_dropoff: 'Destinație',
  f_window: 'Interval',
  f_needs: 'Nevoi',
  f_phone: 'Telefon',
  f_reason: 'Motiv',
  f_reported_by: 'Raportat de',
  f_description: 'Descriere',
  // Who raised an incident when the service itself did (`reported_by` of the server's rules).
  rby_system: 'sistemul',
  rby_beds: 'registrul de paturi',
  rby_referrals: 'trimiterile către servicii',
  rby_emiu: 'procedura EMIU',
  rby_transport_policy: 'regulile transportului adaptat',
  yes: 'da',
  no: 'nu',
  wheelchair: 'scaun rulant',
  door_assistance: 'asistență la ușă',
  companion: 'însoțitor',
  show_on_map: 'Arată pe hartă',
  ev_assigned: 'alocată la {r} de {by}',
  ev_acknowledged: 'preluată de {by}',
  ev_closed: 'închisă: {o}',
  ev_status: 'stare: {from} → {to}',
  col_who: 'Cine',
  col_where: 'Unde',
  col_what: 'Ce',
  withheld_number: 'număr ascuns',
  redacted_name: 'redactat',
  no_name: 'necunoscut',
  rep_total: '×{n} alarme',
  rep_unseen: '+{n} noi',
  rep_unseen_title: '{n:o alarmă nouă|# alarme noi|# de alarme noi} de la același dispozitiv după preluare: deschideți și preluați din nou',
  bulk_ack: 'Preia grupul ({n})',
  bulk_ack_short: 'Preia ×{n}',
  ack_repeats: 'Am văzut alarmele noi ({n})',
  bulk_done: '{ok} preluate, {fail} refuzate',
  person: 'Persoana',
  f_name: 'Nume',
  f_medical: 'Date medicale',
  f_access: 'Acces',
  f_key_safe: 'Cutia cu chei',
  f_channel: 'Canal',
  f_reporter: 'Cine sună',
  carers: 'Aparținători, în ordinea apelării',
  dial: 'Sună',
  dial_caller: 'Sună înapoi',
  dial_beneficiary: 'Sună beneficiarul',
  dial_queued: 'Apel în curs către {who}.',
  answered: 'a răspuns',
  not_answered: 'nu a răspuns',
  details_of_case: 'Cazul',
  stale_banner: 'LEGĂTURA CU SERVERUL S-A PIERDUT — datele de pe ecran NU se mai actualizează. Ultima actualizare: {t}. Se reîncearcă…',
  stale_clock: 'vechi',
  help_title: 'Scurtături de tastatură',
  help_hint: 'Scurtături: ?',
  hk_move: 'lucrarea următoare / anterioară în coadă',
  hk_open: 'deschide lucrarea selectată',
  hk_ack: 'preia lucrarea',
  hk_assign: 'alocă: mută cursorul la panoul de alocare',
  hk_note: 'scrie o notă',
  hk_close: 'închide lucrarea (alegeți rezultatul)',
  hk_map: 'arată lucrarea pe hartă',
  hk_help: 'arată / ascunde acest ajutor',
  hk_esc: 'închide ajutorul sau detaliul',
  hk_not_typing: 'Scurtăturile nu funcționează cât timp scrieți într-un câmp.',
  close_help: 'Închide',
  level_reason_facts: '{level} după regula „{rule}”: {facts}',
  lvl_behind_attention: 'după {who}: are nevoie de atenție (nouă sau cu alarme noi)',
  lvl_attention: 'înaintea lucrărilor preluate: are nevoie de atenție',
  map_no_place: 'Lucrarea nu are o poziție pe hartă.',
  ev_created: 'primită: {what}',
  ev_repeated: 'alarmă repetată: {type}',
  ev_repeats_seen: 'alarmele repetate văzute de {by}',
  ev_reprioritised: 'nivel schimbat: {level} ({why})',
  ev_handler_changed: 'dispecer schimbat: {from} → {to} (de {by})',
  ev_unassigned: 'resurse retrase: {r} (de {by})',
  ev_breached: 'termen depășit ({level})',
  ev_pushed: 'afișată dispecerilor',
  ev_note: 'notă: {text}',
  nobody: 'nimeni',
  err_field: '{what}: câmpul „{field}”',
};

type Dict = typeof ro;
export type Key = keyof Dict;

const en: Dict = {
  app_title: 'DAS Timișoara dispatch',
  login_title: 'Dispatch sign-in',
  username: 'Username',
  password: 'Password',
  login: 'Sign in',
  logout: 'Sign out',
  login_failed: 'Wrong username or password.',
  connected: 'connected',
  connecting: 'connecting…',
  disconnected: 'disconnected — retrying',
  queue: 'Work queue',
  queue_empty: 'No open items.',
  col_level: 'Level',
  col_category: 'Category',
  col_kind: 'Kind',
  col_status: 'Status',
  col_age: 'Age',
  col_clock: 'Response clock',
  breached: 'BREACHED',
  detail: 'Item detail',
  select_item: 'Pick an item from the queue.',
  priority: 'Priority',
  why_level: 'Why this level',
  why_position: 'Why this position',
  rule: 'rule',
  respond_within: 'respond within',
  received: 'Received',
  deadline: 'Deadline',
  handler: 'Handled by',
  assigned_to: 'Assigned to',
  outcome: 'Outcome',
  beneficiary: 'Caller / beneficiary',
  protected: 'protected data',
  rate_limited: 'over rate limit',
  rate_limited_hint: 'Received over its sender\'s rate limit and accepted because it is P1: the sender (an alarm receiver, say) is sending too much; check it.',
  history: 'History',
  notes: 'Notes',
  no_notes: 'No notes.',
  actions: 'Actions',
  acknowledge: 'Acknowledge',
  assign: 'Assign',
  start: 'Start',
  close: 'Close',
  add_note: 'Add note',
  note_placeholder: 'Note text…',
  choose_resources: 'Available resources',
  none_available: 'No resource available.',
  close_with: 'Close with outcome',
  forbidden: 'Access refused',
  forbidden_text: 'You are not allowed to open this item.',
  not_found: 'The item does not exist or was closed.',
  resources: 'Resources',
  res_name: 'Name',
  res_position: 'Position',
  res_item: 'Item',
  map: 'Map',
  map_loading: 'Loading map…',
  map_unavailable: 'Map unavailable.',
  search_address: "Search the caller's address…",
  search: 'Search',
  no_results: 'No results.',
  alarm_p1: 'P1 ALARM',
  alarm_open: 'Open',
  enable_sound: 'Enable sound',
  p1_open_on_console: 'Open the item on the console',
  in_progress_page: 'Page under construction',
  in_progress_text: 'The screen for your role is coming soon.',
  logged_in_as: 'Signed in as',
  language: 'RO',
  language_title: 'Comută în română',
  ago: 'ago',
  left: 'left',
  over_by: 'over by',
  back_to_queue: 'Back to the queue',
  error: 'Error',
  lvl_first: 'first in the queue',
  lvl_behind_level: 'behind {id}: higher level {a} before {b}',
  lvl_behind_deadline: 'behind {id}: same level {a}, earlier deadline {t}',
  lvl_behind_arrival: 'behind {id}: same level and deadline, arrived earlier',
  level_reason: '{level} by rule "{rule}": {reason}',
  seats: 'seats',
  wheelchairs: 'wheelchair places',
  f_device: 'Device',
  f_alarm_type: 'Alarm type',
  f_device_time: 'Device time',
  f_receiver: 'Receiver',
  f_caller_number: 'Caller number',
  f_category: 'Category',
  f_immediate_danger: 'Immediate danger',
  f_address: 'Address',
  f_call_notes: 'Call notes',
  f_rider: 'Rider',
  f_pickup: 'Pickup',
  f_dropoff: 'Drop-off',
  f_window: 'Window',
  f_needs: 'Needs',
  f_phone: 'Phone',
  f_reason: 'Reason',
  f_reported_by: 'Reported by',
  f_description: 'Description',
  rby_system: 'the system',
  rby_beds: 'the bed registry',
  rby_referrals: 'referrals to services',
  rby_emiu: 'the EMIU procedure',
  rby_transport_policy: 'the adapted transport rules',
  yes: 'yes',
  no: 'no',
  wheelchair: 'wheelchair',
  door_assistance: 'door assistance',
  companion: 'companion',
  show_on_map: 'Show on map',
  ev_assigned: 'assigned to {r} by {by}',
  ev_acknowledged: 'acknowledged by {by}',
  ev_closed: 'closed: {o}',
  ev_status: 'status: {from} → {to}',
  col_who: 'Who',
  col_where: 'Where',
  col_what: 'What',
  withheld_number: 'withheld number',
  redacted_name: 'redacted',
  no_name: 'unknown',
  rep_total: '×{n} alarms',
  rep_unseen: '+{n} new',
  rep_unseen_title: '{n:# new alarm|# new alarms} from the same device since it was taken: open and acknowledge again',
  bulk_ack: 'Take the group ({n})',
  bulk_ack_short: 'Take ×{n}',
  ack_repeats: 'Seen the new alarms ({n})',
  bulk_done: '{ok} taken, {fail} refused',
  person: 'Person',
  f_name: 'Name',
  f_medical: 'Medical notes',
  f_access: 'Access',
  f_key_safe: 'Key safe',
  f_channel: 'Channel',
  f_reporter: 'Reported by',
  carers: 'Carers, in call order',
  dial: 'Call',
  dial_caller: 'Call back',
  dial_beneficiary: 'Call the beneficiary',
  dial_queued: 'Calling {who}.',
  answered: 'answered',
  not_answered: 'no answer',
  details_of_case: 'The case',
  stale_banner: 'CONNECTION TO THE SERVER LOST — the screen is NOT updating. Last update: {t}. Retrying…',
  stale_clock: 'stale',
  help_title: 'Keyboard shortcuts',
  help_hint: 'Shortcuts: ?',
  hk_move: 'next / previous item in the queue',
  hk_open: 'open the selected item',
  hk_ack: 'acknowledge the item',
  hk_assign: 'assign: move to the assignment panel',
  hk_note: 'write a note',
  hk_close: 'close the item (pick the outcome)',
  hk_map: 'show the item on the map',
  hk_help: 'show / hide this help',
  hk_esc: 'close the help or the detail',
  hk_not_typing: 'Shortcuts do nothing while you type in a field.',
  close_help: 'Close',
  level_reason_facts: '{level} by rule "{rule}": {facts}',
  lvl_behind_attention: 'behind {who}: needs attention (new, or new alarms)',
  lvl_attention: 'ahead of items already taken: needs attention',
  map_no_place: 'The item has no position on the map.',
  ev_created: 'received: {what}',
  ev_repeated: 'repeated alarm: {type}',
  ev_repeats_seen: 'repeated alarms seen by {by}',
  ev_reprioritised: 'level changed: {level} ({why})',
  ev_handler_changed: 'dispatcher changed: {from} → {to} (by {by})',
  ev_unassigned: 'resources withdrawn: {r} (by {by})',
  ev_breached: 'deadline missed ({level})',
  ev_pushed: 'shown to the dispatchers',
  ev_note: 'note: {text}',
  nobody: 'nobody',
  err_field: '{what}: field "{field}"',
};

// Server vocabularies (snake_case, as in src/domain/kinds.rs).
const terms: Record<Lang, Record<string, string>> = {
  ro: {
    // Driver tablet: incident codes (priority facts `incident_code`).
    emergency: 'urgență șofer',
    protection_order_expiry: 'ordin de protecție care expiră',
    policy_flag: 'neprezentări sau anulări târzii repetate',
    // Meal round: nobody answered at a delivery (runs2).
    welfare_check: 'verificare bunăstare',
    // Cold-weather mode: a person sleeping rough, for the street team (beds).
    outreach: 'echipa stradală — persoană fără adăpost',
    breakdown: 'defecțiune vehicul',
    rider_unwell: 'pasager cu probleme de sănătate',
    aggression: 'agresiune',
    road_blocked: 'drum blocat',
    accident: 'accident',
    new: 'nouă',
    acknowledged: 'preluată',
    assigned: 'alocată',
    in_progress: 'în desfășurare',
    closed: 'închisă',
    alert: 'alarmă',
    call: 'apel',
    booking: 'transport',
    callback: 'reapelare',
    incident: 'incident',
    button: 'buton panică',
    fall: 'cădere',
    smoke: 'fum',
    gas: 'gaz',
    flood: 'inundație',
    inactivity: 'inactivitate',
    temperature: 'temperatură',
    door_open: 'ușă deschisă',
    low_battery: 'baterie descărcată',
    power_failure: 'pană de curent',
    missed_checkin: 'verificare ratată',
    test: 'test',
    abuse: 'abuz',
    neglect: 'neglijare',
    exploitation: 'exploatare',
    domestic_violence: 'violență domestică',
    crisis_info: 'informare criză',
    sleeping_rough: 'persoană fără adăpost',
    information: 'informare',
    transport: 'transport',
    other: 'altele',
    vehicle: 'vehicul',
    driver: 'șofer',
    emiu_team: 'echipă EMIU',
    available: 'disponibil',
    en_route: 'pe drum',
    on_scene: 'la fața locului',
    at_hospital: 'la spital',
    off_duty: 'în afara turei',
    false_alarm: 'alarmă falsă',
    help_given: 'ajutor acordat',
    referred: 'redirecționat',
    hospital: 'transport la spital',
    no_answer: 'fără răspuns',
    deceased: 'decedat',
    carer_attended: 'aparținătorul a intervenit',
    technical: 'problemă tehnică',
    advice_given: 'consiliere acordată',
    emiu_sent: 'echipa EMIU trimisă',
    police_112: 'transmis la 112 / poliție',
    ambulance_112: 'transmis la 112 / ambulanță',
    no_action_needed: 'nu necesită intervenție',
    prank: 'apel fals',
    trip_done: 'cursă efectuată',
    cancelled: 'anulată',
    not_served: 'nu a putut fi deservită',
    reached: 'persoana contactată',
    resolved: 'rezolvat',
    vehicle_replaced: 'vehicul înlocuit',
    // How the EMIU team closed a domestic-violence case (src/domain/outcomes.rs EMIU): in the
    // item's detail and history and in the reports' tables.
    victim_placed: 'victima plasată în adăpost',
    safety_plan: 'plan de siguranță',
    referred_services: 'îndrumată către servicii',
    police_took_over: 'preluat de poliție',
    medical_care: 'îngrijiri medicale',
    victim_declined: 'victima refuză sprijinul',
    rider_transferred: 'beneficiar preluat de alt vehicul',
    item_created: 'lucrare creată',
    item_pushed: 'afișată dispecerului',
    status_changed: 'stare schimbată',
    note_added: 'notă adăugată',
    item_purged: 'date personale șterse (retenție)',
    breached: 'termen depășit',
    dispatcher: 'dispecer',
    service: 'serviciu',
    supervisor: 'supervizor',
    emiu: 'EMIU',
    admin: 'administrator',
    // Channels and reporters of a call card.
    phone: 'telefon',
    sms: 'SMS',
    walk_in: 'la ghișeu',
    other_line: 'altă linie',
    email: 'e-mail',
    institution: 'instituție',
    victim: 'victima',
    relative: 'o rudă',
    neighbour: 'un vecin',
    anonymous: 'anonim',
    beneficiary: 'beneficiarul',
    unknown: 'necunoscut',
    unclassified: 'neclasificat',
    missed_call: 'apel pierdut',
    follow_up: 'urmărire',
    policy_suspended: 'beneficiar suspendat de supervizor',
    policy_waived: 'derogare acordată de supervizor',
    action_refused: 'acțiunea șoferului refuzată (cursa se schimbase)',
    // Outbound calls (callback reasons, the escalation's incident code).
    wellbeing: 'apel de bunăstare',
    call_list: 'listă de apeluri',
    campaign: 'campanie de apeluri',
    outbound_no_answer: 'beneficiarul nu răspunde la apeluri',
    // Geocoder result kinds.
    address: 'adresă',
    street: 'stradă',
    poi: 'punct de interes',
    place: 'localitate',
    // Error codes and refusal reasons of the API.
    invalid: 'date invalide',
    bad_request: 'cerere greșită',
    unauthorized: 'sesiune expirată: autentificați-vă din nou',
    forbidden: 'nu aveți dreptul',
    not_found: 'nu există',
    conflict: 'conflict cu o altă acțiune',
    rate_limited: 'prea multe cereri: reîncercați',
    too_large: 'cerere prea mare',
    unavailable: 'serviciu indisponibil momentan',
    internal: 'eroare internă a serverului',
    timeout: 'serverul nu a răspuns la timp',
    network: 'serverul nu poate fi contactat',
  },
  en: {
    // Driver tablet: incident codes (priority facts `incident_code`).
    emergency: 'driver emergency',
    protection_order_expiry: 'protection order expiring',
    policy_flag: 'repeated no-shows or late cancellations',
    // Meal round: nobody answered at a delivery (runs2).
    welfare_check: 'welfare check',
    outreach: 'street team — person sleeping rough',
    breakdown: 'vehicle breakdown',
    rider_unwell: 'rider unwell',
    aggression: 'aggression',
    road_blocked: 'road blocked',
    accident: 'accident',
    in_progress: 'in progress',
    button: 'panic button',
    door_open: 'door open',
    low_battery: 'low battery',
    power_failure: 'power failure',
    missed_checkin: 'missed check-in',
    domestic_violence: 'domestic violence',
    crisis_info: 'crisis info',
    sleeping_rough: 'person sleeping rough',
    emiu_team: 'EMIU team',
    en_route: 'en route',
    on_scene: 'on scene',
    at_hospital: 'at hospital',
    off_duty: 'off duty',
    false_alarm: 'false alarm',
    help_given: 'help given',
    hospital: 'taken to hospital',
    no_answer: 'no answer',
    carer_attended: 'carer attended',
    technical: 'technical fault',
    police_112: 'passed to 112 / police',
    ambulance_112: 'passed to 112 / ambulance',
    prank: 'hoax call',
    not_served: 'could not be served',
    reached: 'person reached',
    rider_transferred: 'rider moved to another vehicle',
    victim_placed: 'victim placed in a shelter',
    safety_plan: 'safety plan',
    referred_services: 'referred to services',
    police_took_over: 'police took over',
    medical_care: 'medical care',
    victim_declined: 'victim declined help',
    emiu_sent: 'EMIU team sent',
    item_created: 'item created',
    item_pushed: 'shown to a dispatcher',
    status_changed: 'status changed',
    note_added: 'note added',
    item_purged: 'personal data removed (retention)',
    emiu: 'EMIU',
    walk_in: 'walk-in',
    other_line: 'another line',
    sms: 'SMS',
    missed_call: 'missed call',
    follow_up: 'follow-up',
    policy_suspended: 'rider suspended by the supervisor',
    policy_waived: 'count waived by the supervisor',
    action_refused: "driver's action refused (the trip had changed)",
    // Outbound calls (callback reasons, the escalation's incident code).
    wellbeing: 'wellbeing call',
    call_list: 'call list',
    campaign: 'call campaign',
    outbound_no_answer: 'the beneficiary does not answer calls',
    poi: 'point of interest',
    invalid: 'invalid data',
    bad_request: 'bad request',
    unauthorized: 'session expired: sign in again',
    forbidden: 'not allowed',
    not_found: 'does not exist',
    conflict: 'conflicts with another action',
    rate_limited: 'too many requests: retry',
    too_large: 'request too large',
    unavailable: 'service unavailable for now',
    internal: 'internal server error',
    timeout: 'the server did not answer in time',
    network: 'the server cannot be reached',
  },
};

/** Why the server refused (`error.reason`), in words. */
const reasons: Record<Lang, Record<string, string>> = {
  ro: {
    not_new: 'lucrarea a fost deja preluată',
    not_acknowledged: 'lucrarea nu a fost preluată încă',
    wrong_status: 'starea lucrării nu permite acțiunea',
    closed: 'lucrarea este închisă',
    resource_busy: 'resursa este ocupată',
    resource_off_duty: 'resursa nu este în tură',
    resource_exists: 'resursa există deja',
    resource_committed: 'resursa are deja o cursă planificată',
    contact_blocked: 'contact protejat: nu se sună înapoi',
    no_number: 'nu există un număr de apelat',
    not_handler: 'lucrarea este a altui dispecer',
  },
  en: {
    not_new: 'the item was already taken',
    not_acknowledged: 'the item is not acknowledged yet',
    wrong_status: "the item's status does not allow it",
    closed: 'the item is closed',
    resource_busy: 'the resource is busy',
    resource_off_duty: 'the resource is off duty',
    resource_exists: 'the resource already exists',
    resource_committed: 'the resource has a planned trip',
    contact_blocked: 'safe contact: no call back',
    no_number: 'no number to call',
    not_handler: "the item is another dispatcher's",
  },
};

/** The facts a priority rule matched on (`priority.facts[].key`). */
const factNames: Record<Lang, Record<string, string>> = {
  ro: {
    kind: 'tip',
    alarm_type: 'tip alarmă',
    category: 'categorie',
    channel: 'canal',
    immediate_danger: 'pericol imediat',
    same_day: 'în aceeași zi',
    callback_reason: 'motivul reapelării',
    // Driver tablet.
    incident_code: 'tip incident',
    reason: 'motiv',
    breach_raised_from: 'ridicat după depășirea termenului, de la',
    default: 'nicio condiție (regula de bază)',
  },
  en: {
    kind: 'kind',
    alarm_type: 'alarm type',
    category: 'category',
    channel: 'channel',
    immediate_danger: 'immediate danger',
    same_day: 'same day',
    callback_reason: 'callback reason',
    // Driver tablet.
    incident_code: 'incident kind',
    reason: 'reason',
    breach_raised_from: 'raised after a missed deadline, from',
    default: 'no condition (the base rule)',
  },
};

/** Priority rules by id (config/default.toml [[queue.rules]]). */
const ruleNames: Record<Lang, Record<string, string>> = {
  ro: {
    'teleasistenta-life': 'TeleAsistență — viață în pericol',
    'call-immediate-danger': 'apel — pericol imediat',
    'call-incoming': 'apel în așteptare pe linie',
    'call-sms': 'mesaj SMS',
    'call-protection-report': 'apel — sesizare de protecție',
    'teleasistenta-wellbeing': 'TeleAsistență — stare de bine',
    'callback-missed-call': 'reapelare după apel pierdut',
    'transport-incident': 'incident de transport',
    // Driver tablet.
    'transport-driver-emergency': 'urgență șofer (butonul de urgență)',
    'transport-welfare-check': 'verificare bunăstare (masa nu a putut fi predată)',
    'emiu-order-reminder': 'ordin de protecție care expiră',
    'beds-outreach': 'echipa stradală — cod de ger',
    'call-sleeping-rough': 'apel — persoană fără adăpost',
    'transport-policy-flag': 'beneficiar transport semnalat (neprezentări, anulări târzii)',
    'transport-same-day': 'transport în aceeași zi',
    callback: 'reapelare',
    'teleasistenta-technical': 'TeleAsistență — tehnic',
    'call-crisis-or-transport': 'apel — informare criză sau transport',
    routine: 'rutină',
    breach: 'termen depășit',
  },
  en: {
    'teleasistenta-life': 'TeleAsistență — life at risk',
    'call-immediate-danger': 'call — immediate danger',
    'call-incoming': 'call waiting on the line',
    'call-sms': 'SMS message',
    'call-protection-report': 'call — protection report',
    'teleasistenta-wellbeing': 'TeleAsistență — wellbeing',
    'callback-missed-call': 'callback after a missed call',
    'transport-incident': 'transport incident',
    // Driver tablet.
    'transport-driver-emergency': 'driver emergency (the emergency button)',
    'transport-welfare-check': 'welfare check (the meal could not be handed over)',
    'emiu-order-reminder': 'protection order expiring',
    'beds-outreach': 'street team — cold-weather mode',
    'call-sleeping-rough': 'call — person sleeping rough',
    'transport-policy-flag': 'transport rider flagged (no-shows, late cancellations)',
    'transport-same-day': 'same-day transport',
    callback: 'callback',
    'teleasistenta-technical': 'TeleAsistență — technical',
    'call-crisis-or-transport': 'call — crisis info or transport',
    routine: 'routine',
    breach: 'deadline missed',
  },
};

const dicts: Record<Lang, Dict> = { ro, en };

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'ro' || v === 'en') return v;
  } catch {
    // Storage can be disabled by policy; Romanian is the default anyway.
  }
  return 'ro';
}

let lang: Lang = initialLang();
const listeners = new Set<() => void>();

export function currentLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not persisted; the switch still applies to this page.
  }
  document.documentElement.lang = next;
  for (const l of listeners) l();
}

export function onLangChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** The development check: with `localStorage['dispecer.i18n-check'] = '1'` (the browser tests
 * set it), a text or code missing from the Romanian dictionary shows as `⟦…⟧`, which a test finds
 * on screen; the codes are also collected in `window.__i18nMissing`. Without it, an unknown code
 * is shown as sent (better than nothing in the middle of a shift). */
const CHECK = (() => {
  try {
    return localStorage.getItem('dispecer.i18n-check') === '1';
  } catch {
    return false;
  }
})();

export function missing(what: string, fallback: string): string {
  if (!CHECK) return fallback;
  const w = window as unknown as { __i18nMissing?: string[] };
  (w.__i18nMissing ??= []).push(what);
  return `⟦${what}⟧`;
}

/** The plural forms a count placeholder lists, in this order: Romanian "one" (1), "few" (0,
 * 2–19, and 101–119 and so on) and "other" (20 and up, where Romanian says "20 de zile"), as
 * Unicode's CLDR rules count them; English "one" and "other". */
const PLURAL_ORDER: Record<Lang, Intl.LDMLPluralRule[]> = { ro: ['one', 'few', 'other'], en: ['one', 'other'] };
const pluralRules: Record<Lang, Intl.PluralRules> = { ro: new Intl.PluralRules('ro-RO'), en: new Intl.PluralRules('en-GB') };

/** `text` with its placeholders filled from `vars`: `{name}` is the value as given (nothing if
 * missing); `{name:form|form|form}` is the plural form the value asks for in the console's
 * language, `#` in it standing for the number ("{n:o zi|# zile|# de zile}"). */
export function fill(text: string, vars: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)(?::([^{}]*))?\}/g, (_, k: string, forms: string | undefined) => {
    const value = vars[k];
    if (forms === undefined) return String(value ?? '');
    const list = forms.split('|');
    const i = PLURAL_ORDER[lang].indexOf(pluralRules[lang].select(Number(value)));
    return list[Math.min(Math.max(i, 0), list.length - 1)].replace(/#/g, String(value ?? ''));
  });
}

/** A UI text, with its placeholders filled from `vars` (see [`fill`]). */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = dicts[lang][key] as string | undefined;
  if (text === undefined) return missing(key, key);
  return fill(text, vars);
}

/** Who reported an incident: the service's own rules by their name in words, anyone else
 * (a vehicle, a person) as sent. */
export function reporter(value: string): string {
  const own: Record<string, Key> = {
    system: 'rby_system',
    beds: 'rby_beds',
    referrals: 'rby_referrals',
    emiu: 'rby_emiu',
    'transport-policy': 'rby_transport_policy',
  };
  const key = own[value];
  return key ? t(key) : value;
}

/** A server vocabulary value in the current language. In English an unlisted code reads as
 * words; in Romanian it is a missing entry. */
export function term(value: string | null | undefined): string {
  if (!value) return '';
  const found = terms[lang][value];
  if (found !== undefined) return found;
  if (lang === 'en') return value.replace(/_/g, ' ');
  return missing(value, value.replace(/_/g, ' '));
}

/** Whether a code has an entry (so another dictionary may be tried first). */
export function hasTerm(value: string): boolean {
  return value in terms[lang];
}

/** The name of a priority fact key. */
export function factName(key: string): string {
  return factNames[lang][key] ?? (lang === 'en' ? key.replace(/_/g, ' ') : missing(`fact:${key}`, key));
}

/** A priority rule's name. */
export function ruleName(id: string): string {
  return ruleNames[lang][id] ?? (lang === 'en' ? id : missing(`rule:${id}`, id));
}

/** A refusal of the API in words: its reason, else its code; never the server's English
 * message (only in English, and only when neither code is known). */
export function errorText(e: unknown): string {
  const err = e as { code?: string; reason?: string; field?: string; message?: string; status?: number };
  if (e instanceof TypeError) return term('network');
  const reason = err?.reason ? reasons[lang][err.reason] : undefined;
  const code = err?.code && err.code in terms[lang] ? terms[lang][err.code] : err?.code && lang === 'en' ? err.code.replace(/_/g, ' ') : undefined;
  // An unknown reason is a missing entry (the code still says what kind of refusal it was).
  if (err?.reason && !reason) missing(`reason:${err.reason}`, '');
  const text = reason ?? code;
  if (text) return err.field ? t('err_field', { what: text, field: err.field }) : text;
  if (lang === 'en' && err?.message) return err.message;
  return missing(`error:${err?.reason ?? err?.code ?? 'unknown'}`, t('error'));
}

/** A decimal number in the console's language: "12,5" in Romanian, "12.5" in English. No
 *  thousands separator: the Romanian one is a point, which an English reader would take for a
 *  decimal point. */
export function formatNumber(v: number, digits = 1): string {
  return v.toLocaleString(lang === 'ro' ? 'ro-RO' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(lang === 'ro' ? 'ro-RO' : 'en-GB', { hour12: false });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'ro' ? 'ro-RO' : 'en-GB', { hour12: false });
}

/** A duration as m:ss, or h:mm:ss past an hour. */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

document.documentElement.lang = lang;
