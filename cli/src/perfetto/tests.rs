//! Tests of the Perfetto conversion: tracks, slices and flow arrows.

use super::*;

fn line(t: u64, node: Option<&str>, task: Option<u64>, kind: &str, text: &str) -> Value {
    json!({ "time_ns": t, "node": node, "task": task, "task_name": null,
            "kind": kind, "text": text })
}

#[test]
fn dropped_events_are_said_first() {
    let notice = "... 7 earlier events dropped; raise trace_limit";
    let doc = convert(&[
        json!({ "event": "trace-dropped", "dropped": 7, "line": notice }),
        line(3000, Some("a"), Some(1), "poll", "poll"),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let first = events.iter().find(|e| e["ph"] != "M").unwrap();
    assert_eq!(first["name"], notice);
    assert_eq!(
        (first["s"].as_str(), first["ts"].as_f64()),
        (Some("g"), Some(3.0))
    );
    assert_eq!(doc["otherData"]["dropped_events"], 7);
    assert_eq!(events.iter().filter(|e| e["ph"] == "X").count(), 1);
}

#[test]
fn sends_and_deliveries_are_joined_by_flows() {
    let doc = convert(&[
        line(0, Some("main"), Some(0), "node", "node 3 'c' created"),
        line(0, Some("a"), Some(1), "poll", "poll"),
        line(
            0,
            Some("a"),
            Some(1),
            "io",
            "net: send 10.0.0.1:9 -> 10.0.0.2:7 (3 bytes)",
        ),
        line(
            0,
            Some("b"),
            Some(2),
            "io",
            "net: send 10.0.0.2:7 -> 10.0.0.1:9 (1 bytes)",
        ),
        line(
            5000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (3 bytes)",
        ),
        line(
            6000,
            Some("a"),
            Some(1),
            "io",
            "net: send 10.0.0.1:9 -> 10.0.0.4:1 (2 bytes)",
        ),
        line(
            7000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.1:9 -> 10.0.0.4:1 (2 bytes)",
        ),
        line(5000, None, None, "clock", "clock: 1 timer fired"),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let start = events.iter().find(|e| e["ph"] == "s").unwrap();
    let end = events.iter().find(|e| e["ph"] == "f").unwrap();
    assert_eq!(start["id"], end["id"]);
    // Task ids go up to 2, the main task's tid is 3: node main is pid
    // 4, a pid 5 (task 1 on tid 1), b pid 6.
    assert_eq!(
        (start["pid"].as_u64(), start["tid"].as_u64()),
        (Some(5), Some(1))
    );
    // Delivered to node b, learnt from b's own send, on its network
    // track.
    assert_eq!((&end["pid"], &end["tid"]), (&json!(6), &json!(6)));
    assert_eq!(end["ts"], 5.0);
    assert_eq!(events.iter().filter(|e| e["ph"] == "f").count(), 2);
    // Node 3's address is 10.0.0.4, by sim-net's addressing.
    let to_c = events.iter().filter(|e| e["ph"] == "f").nth(1).unwrap();
    let c = events
        .iter()
        .find(|e| e["ph"] == "M" && e["args"]["name"] == "node c")
        .unwrap();
    assert_eq!(to_c["pid"], c["pid"]);
    let clock = events.iter().find(|e| e["cat"] == "clock").unwrap();
    assert_eq!(clock["pid"], 0);
}

#[test]
fn dropped_sends_get_no_arrow_and_network_events_go_to_their_node() {
    let a = Some("a");
    let send = |t, node, text: &str| line(t, node, node.map(|_| 1), "io", text);
    let doc = convert(&[
        line(0, a, Some(0), "node", "node 0 'a' created"),
        line(0, a, Some(0), "node", "node 1 'b' created"),
        // Dropped as it is sent (a partition), the draw in between.
        send(1_000_000, a, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (0 bytes)"),
        line(1_000_000, a, Some(1), "draw", "draw a network verdict"),
        send(
            1_000_000,
            a,
            "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (partitioned)",
        ),
        // The same addresses again later: this one arrives.
        send(2_000_000, a, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (0 bytes)"),
        line(
            3_000_000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (0 bytes)",
        ),
        line(
            3_000_000,
            None,
            None,
            "io",
            "tcp: 10.0.0.2:7 queued 10.0.0.1:9 for accept",
        ),
        // Dropped on arrival (b down), retransmitted outside any task.
        send(
            4_000_000,
            a,
            "net: send 10.0.0.1:9 -> 10.0.0.2:8 (1 bytes, seq 1)",
        ),
        send(
            5_000_000,
            None,
            "net: drop 10.0.0.1:9 -> 10.0.0.2:8 (node down)",
        ),
        send(
            6_000_000,
            None,
            "net: send 10.0.0.1:9 -> 10.0.0.2:8 (1 bytes, seq 1)",
        ),
        send(
            7_000_000,
            None,
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:8 (1 bytes, seq 1)",
        ),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let pid_of = |name: &str| {
        events
            .iter()
            .find(|e| e["name"] == "process_name" && e["args"]["name"] == name)
            .map(|e| e["pid"].clone())
            .unwrap()
    };
    let (a, b) = (pid_of("node a"), pid_of("node b"));
    let starts: Vec<_> = events.iter().filter(|e| e["ph"] == "s").collect();
    let ends: Vec<_> = events.iter().filter(|e| e["ph"] == "f").collect();
    // One arrow per delivery, none for the drops, none dangling.
    assert_eq!((starts.len(), ends.len()), (2, 2));
    // The first arrow starts at the send that arrived, not the dropped one.
    assert_eq!(
        (&starts[0]["ts"], &starts[0]["tid"]),
        (&json!(2000.0), &json!(1))
    );
    assert_eq!(starts[0]["pid"], a);
    assert_eq!((&ends[0]["ts"], &ends[0]["pid"]), (&json!(3000.0), &b));
    // The retransmission is on a's network track.
    assert_eq!(starts[1]["ts"], 6000.0);
    assert_eq!((&starts[1]["pid"], &starts[1]["tid"]), (&a, &a));
    // The accept and the arrival drop are on their node's network track.
    let on = |prefix: &str| {
        let e = events
            .iter()
            .find(|e| e["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
            .unwrap();
        (e["pid"].clone(), e["tid"].clone())
    };
    assert_eq!(on("tcp: 10.0.0.2:7 queued"), (b.clone(), b.clone()));
    assert_eq!(
        on("net: drop 10.0.0.1:9 -> 10.0.0.2:8"),
        (a.clone(), a.clone())
    );
    assert!(events.iter().all(|e| e["pid"] != 0));
}

#[test]
fn a_duplicated_datagram_gets_an_arrow_to_each_delivery() {
    let a = Some("a");
    let send = |t, text: &str| line(t, a, Some(1), "io", text);
    let net = |t, text: &str| line(t, None, None, "io", text);
    let doc = convert(&[
        line(0, a, Some(0), "node", "node 0 'a' created"),
        line(0, a, Some(0), "node", "node 1 'b' created"),
        send(1_000_000, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
        line(1_000_000, a, Some(1), "draw", "draw a network verdict"),
        send(1_000_000, "net: duplicate 10.0.0.1:9 -> 10.0.0.2:7"),
        net(2_000_000, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
        send(2_500_000, "net: send 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
        net(3_000_000, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
        net(3_500_000, "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (5 bytes)"),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    // Flow starts are written with their ends, in delivery order.
    let starts: Vec<_> = events
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| e["ts"].as_f64().unwrap())
        .collect();
    assert_eq!(starts, [1000.0, 1000.0, 2500.0]);
    let ids: BTreeMap<_, _> = events
        .iter()
        .filter(|e| e["ph"] == "f")
        .map(|e| (e["id"].as_u64().unwrap(), ()))
        .collect();
    assert_eq!(ids.len(), 3);
}

#[test]
fn reordered_datagrams_of_one_length_get_arrows_to_their_own_deliveries() {
    let a = Some("a");
    let send = |t, text: &str| line(t, a, Some(1), "io", text);
    let deliver = |t, text: &str| line(t, None, None, "io", text);
    let doc = convert(&[
        line(0, a, Some(0), "node", "node 0 'a' created"),
        line(0, a, Some(0), "node", "node 1 'b' created"),
        send(
            1_000_000,
            "net: send 10.0.0.1:9 -> 10.0.0.2:7 (4 bytes, datagram 1)",
        ),
        send(
            2_000_000,
            "net: send 10.0.0.1:9 -> 10.0.0.2:7 (4 bytes, datagram 2)",
        ),
        // The second overtakes the first, then the first is lost on
        // arrival: only datagram 2's send gets an arrow.
        deliver(
            3_000_000,
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (4 bytes, datagram 2)",
        ),
        deliver(
            9_000_000,
            "net: drop 10.0.0.1:9 -> 10.0.0.2:7 (nothing bound)",
        ),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let flows: Vec<_> = events
        .iter()
        .filter(|e| e["ph"] == "s" || e["ph"] == "f")
        .map(|e| (e["ph"].as_str().unwrap(), e["ts"].as_f64().unwrap()))
        .collect();
    assert_eq!(flows, [("s", 2000.0), ("f", 3000.0)]);
}

#[test]
fn a_crash_sending_a_nodes_resets_does_not_move_its_address() {
    let doc = convert(&[
        line(0, Some("main"), Some(0), "node", "node 1 'b' created"),
        // main's task kills b: the network resets b's connections,
        // the sends on main's task.
        line(
            1_000_000,
            Some("main"),
            Some(0),
            "io",
            "net: send 10.0.0.2:7 -> 10.0.0.3:9 (0 bytes)",
        ),
        line(
            2_000_000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.3:9 -> 10.0.0.2:7 (1 bytes, seq 1)",
        ),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let b = events
        .iter()
        .find(|e| e["name"] == "process_name" && e["args"]["name"] == "node b")
        .map(|e| e["pid"].clone())
        .unwrap();
    let deliver = events.iter().find(|e| e["name"] == "deliver").unwrap();
    assert_eq!(deliver["pid"], b);
}

#[test]
fn same_instant_events_are_laid_side_by_side_inside_their_poll() {
    let a = Some("a");
    let doc = convert(&[
        line(0, a, Some(0), "node", "node 0 'a' created"),
        line(0, a, Some(0), "node", "node 1 'b' created"),
        line(1_000_000, a, Some(1), "poll", "poll"),
        line(1_000_000, a, Some(1), "spawn", "spawn task 2 on node 'a'"),
        line(
            1_000_000,
            a,
            Some(1),
            "io",
            "net: send 10.0.0.1:9 -> 10.0.0.2:7 (1 bytes, seq 1)",
        ),
        line(
            1_000_000,
            a,
            Some(1),
            "io",
            "net: send 10.0.0.1:9 -> 10.0.0.2:7 (2 bytes, seq 2)",
        ),
        line(1_000_000, a, Some(1), "poll", "poll"),
        line(
            2_000_000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (1 bytes, seq 1)",
        ),
        line(
            2_000_000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (2 bytes, seq 2)",
        ),
        line(5_000_000, a, Some(1), "poll", "poll"),
        // Half a µs later, not in that poll: after it, not across its end.
        line(
            5_000_500,
            a,
            Some(1),
            "io",
            "net: send 10.0.0.1:9 -> 10.0.0.2:7 (4 bytes, seq 3)",
        ),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let placed = |name: &str| -> Vec<(f64, f64)> {
        events
            .iter()
            .filter(|e| e["ph"] != "M" && e["name"].as_str().unwrap().starts_with(name))
            .map(|e| (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap_or(0.0)))
            .collect()
    };
    // The first poll holds its spawn and two sends, one after another;
    // the second poll at the same instant comes after it.
    assert_eq!(
        placed("poll"),
        [(1000.0, 3.0), (1003.0, 1.0), (5000.0, 1.0)]
    );
    assert_eq!(placed("spawn"), [(1000.0, 0.0)]);
    assert_eq!(
        placed("send"),
        [(1001.0, 1.0), (1002.0, 1.0), (5001.0, 1.0)]
    );
    assert_eq!(placed("deliver"), [(2000.0, 1.0), (2001.0, 1.0)]);
    // The exact virtual time is kept.
    let second = events
        .iter()
        .filter(|e| e["name"] == "deliver")
        .nth(1)
        .unwrap();
    assert_eq!(second["args"]["virtual_ns"], 2_000_000);
    // Arrows start and end on the placed slices.
    let starts: Vec<_> = events
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| e["ts"].as_f64().unwrap())
        .collect();
    assert_eq!(starts, [1001.0, 1002.0]);
}

#[test]
fn tracks_are_titled_by_task_name_and_id() {
    let named = |t, node, task: u64, name: Option<&str>| {
        json!({ "time_ns": t, "node": node, "task": task, "task_name": name,
                "kind": "poll", "text": "poll" })
    };
    let doc = convert(&[
        line(0, Some("main"), Some(0), "node", "node 1 'srv' created"),
        named(0, "main", 0, Some("main")),
        named(0, "srv", 5, Some("echo-server")),
        named(0, "srv", 7, None),
        named(0, "main", 2, None),
        line(
            1000,
            None,
            None,
            "io",
            "net: deliver 10.0.0.1:9 -> 10.0.0.2:7 (3 bytes)",
        ),
    ]);
    let events = doc["traceEvents"].as_array().unwrap();
    let names: Vec<String> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"].as_str().unwrap().ends_with("_name"))
        .map(|e| format!("{} {} {}", e["pid"], e["tid"], e["args"]["name"]))
        .collect();
    // As Perfetto titles them, the tid appended: "main 8", "echo-server
    // 5", "task 7", "task 2", "network 10". The main task and the
    // network tracks are above every task id (tid 0 and tid = pid are
    // the process's own thread to Perfetto).
    insta::assert_snapshot!(names.join("\n"), @r#"
    9 0 "node main"
    9 8 "main"
    10 0 "node srv"
    10 5 "echo-server"
    10 7 "task"
    9 2 "task"
    10 10 "network"
    "#);
    let task_tids = [5, 7, 2];
    for e in events.iter().filter(|e| e["ph"] != "M") {
        let (pid, tid) = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        assert!(!task_tids.contains(&pid), "{e}");
        assert!(tid != 0, "{e}");
    }
}
