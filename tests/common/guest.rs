//! Real Debian guests for the boot tier: built by scripts/build-boot-guests (cached outside
//! the work tree), booted under qemu (TCG) with virtio NICs on `-netdev user,restrict=on`
//! (no packet leaves qemu), and read back from the report the guest prints on its serial
//! console (tests/boot-guest/rejviz-report) before it powers off.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ipnet::IpNet;
use serde_json::Value;

use super::root;

/// The guests' network stacks: also the names of their disk images.
pub const STACKS: [&str; 4] = ["networkd", "ifupdown", "nm", "netplan"];

/// How long a boot may take before the test gives up (a boot to power-off is 35–40 s
/// under TCG here, longer when two run at once).
const BOOT_LIMIT: Duration = Duration::from_secs(420);

/// The directory of the built guests (and of their virt-builder repository).
pub fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new(root().join("scripts/build-boot-guests"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/build-boot-guests");
        assert!(out.status.success(), "scripts/build-boot-guests failed");
        let stdout = String::from_utf8_lossy(&out.stdout);
        PathBuf::from(stdout.lines().last().expect("build-boot-guests prints its directory").trim())
    })
}

/// A qcow2 overlay at `path` over `base` (the base is never written).
pub fn overlay(base: &Path, path: &Path) {
    let st = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", "-F"])
        .arg(if base.extension().is_some_and(|e| e == "raw") { "raw" } else { "qcow2" })
        .arg("-b")
        .arg(base)
        .arg(path)
        .status()
        .expect("qemu-img");
    assert!(st.success(), "qemu-img create {}", path.display());
}

/// One virtio NIC: its MAC and the PCI slot it sits in (the kernel numbers NICs, and the
/// predictable names `enp0sN` follow, by slot).
#[derive(Debug, Clone, Copy)]
pub struct Port<'a> {
    pub mac: &'a str,
    pub slot: u8,
}

/// Boots `disk` (qcow2) with `ports`, waits for it to power off, returns its report.
/// The console is kept at `console` for a failing test to show.
pub fn boot(disk: &Path, ports: &[Port<'_>], console: &Path) -> Result<Report, String> {
    let mut c = Command::new("qemu-system-x86_64");
    c.args(["-accel", "tcg", "-m", "768", "-smp", "1", "-nodefaults", "-display", "none", "-no-reboot"])
        .arg("-serial")
        .arg(format!("file:{}", console.display()))
        .arg("-drive")
        .arg(format!("file={},if=virtio,format=qcow2,cache=unsafe", disk.display()));
    for (i, p) in ports.iter().enumerate() {
        c.arg("-netdev").arg(format!("user,id=n{i},restrict=on,ipv6=off"));
        c.arg("-device").arg(format!("virtio-net-pci,netdev=n{i},mac={},addr={:#x}", p.mac, p.slot));
    }
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("qemu-system-x86_64: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if start.elapsed() > BOOT_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "the guest did not power off within {} s; console ends with:\n{}",
                BOOT_LIMIT.as_secs(),
                tail(console)
            ));
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        return Err(format!("qemu exited with {status}: {err}"));
    }
    let text = std::fs::read(console).map_err(|e| format!("{}: {e}", console.display()))?;
    Report::parse(&String::from_utf8_lossy(&text)).map_err(|e| format!("{e}; console ends with:\n{}", tail(console)))
}

fn tail(console: &Path) -> String {
    let text = String::from_utf8_lossy(&std::fs::read(console).unwrap_or_default()).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// One interface as the guest's `ip -j addr` shows it.
#[derive(Debug, Clone)]
pub struct Iface {
    pub name: String,
    pub mac: String,
    pub mtu: u64,
    /// Administratively up (`UP` among its flags).
    pub up: bool,
    /// IPv4 and global IPv6 addresses, `ADDR/PREFIX`.
    pub addrs: Vec<String>,
}

/// One link as the guest's `ip -j -d link` shows it: what it is and what it is part of.
#[derive(Debug, Clone)]
pub struct Link {
    pub name: String,
    /// Its own MAC: `permaddr` when a bond gave it the bond's (`ip` shows both then), else
    /// `address`.
    pub mac: String,
    pub up: bool,
    /// `linkinfo.info_kind`: `bond`, `vlan`, `bridge`, ...; none for a plain NIC.
    pub kind: Option<String>,
    /// The bond or bridge it is a port of.
    pub master: Option<String>,
    /// The link a VLAN runs on.
    pub lower: Option<String>,
    /// `linkinfo.info_data`: the bond's `mode` and `miimon`, the VLAN's `id`, the bridge's
    /// `stp_state`, ... (`Value::Null` when there is none).
    pub data: Value,
}

impl Link {
    /// `info_data`'s `key` as text (a number as its digits), if there.
    pub fn datum(&self, key: &str) -> Option<String> {
        match self.data.get(key)? {
            Value::String(s) => Some(s.clone()),
            v => Some(v.to_string()),
        }
    }
}

/// A route of `ip -j route` / `ip -j -6 route`.
#[derive(Debug, Clone)]
pub struct Route {
    pub dst: String,
    pub gateway: Option<String>,
    pub dev: String,
}

/// What the guest said about its network once it was online.
#[derive(Debug, Clone)]
pub struct Report {
    pub ifaces: Vec<Iface>,
    pub links: Vec<Link>,
    pub routes: Vec<Route>,
    pub dns: Vec<String>,
    /// The resolver's DNS search domains, in its order.
    pub search: Vec<String>,
    pub hostname: String,
    pub failed: Vec<String>,
}

impl Report {
    /// Reads the lines between `REJVIZ-REPORT-BEGIN` and `REJVIZ-REPORT-END`.
    pub fn parse(console: &str) -> Result<Report, String> {
        let body = console
            .split_once("REJVIZ-REPORT-BEGIN")
            .and_then(|(_, rest)| rest.split_once("REJVIZ-REPORT-END"))
            .map(|(body, _)| body)
            .ok_or("no complete report on the console")?;
        let field = |key: &str| -> Option<&str> {
            body.lines().map(|l| l.trim_end_matches('\r')).find_map(|l| {
                l.strip_prefix("REJVIZ ")
                    .and_then(|r| r.strip_prefix(key))
                    .and_then(|r| r.strip_prefix(' ').or(Some(r).filter(|r| r.is_empty())))
            })
        };
        let json = |key: &str| -> Result<Vec<Value>, String> {
            let text = field(key).ok_or_else(|| format!("report has no '{key}' line"))?;
            match serde_json::from_str::<Value>(text) {
                Ok(Value::Array(v)) => Ok(v),
                Ok(_) => Err(format!("'{key}' is not a JSON array")),
                Err(e) => Err(format!("'{key}': {e}: {text}")),
            }
        };
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let mut ifaces = Vec::new();
        for i in json("addr")? {
            let flags: Vec<&str> =
                i.get("flags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let addrs = i
                .get("addr_info")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|a| s(a, "family").as_deref() == Some("inet") || s(a, "scope").as_deref() == Some("global"))
                .filter_map(|a| Some(format!("{}/{}", s(a, "local")?, a.get("prefixlen")?.as_u64()?)))
                .collect();
            ifaces.push(Iface {
                name: s(&i, "ifname").unwrap_or_default(),
                mac: s(&i, "address").unwrap_or_default(),
                mtu: i.get("mtu").and_then(Value::as_u64).unwrap_or(0),
                up: flags.contains(&"UP"),
                addrs,
            });
        }
        let mut links = Vec::new();
        for l in json("link")? {
            let flags: Vec<&str> =
                l.get("flags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let info = l.get("linkinfo");
            links.push(Link {
                name: s(&l, "ifname").unwrap_or_default(),
                mac: s(&l, "permaddr").or_else(|| s(&l, "address")).unwrap_or_default(),
                up: flags.contains(&"UP"),
                kind: info.and_then(|i| s(i, "info_kind")),
                master: s(&l, "master"),
                lower: s(&l, "link"),
                data: info.and_then(|i| i.get("info_data")).cloned().unwrap_or(Value::Null),
            });
        }
        let mut routes = Vec::new();
        for r in json("route4")?.into_iter().chain(json("route6")?) {
            routes.push(Route {
                dst: s(&r, "dst").unwrap_or_default(),
                gateway: s(&r, "gateway"),
                dev: s(&r, "dev").unwrap_or_default(),
            });
        }
        let words = |k: &str| field(k).unwrap_or("").split_whitespace().map(str::to_string).collect::<Vec<_>>();
        Ok(Report {
            ifaces,
            links,
            routes,
            dns: words("dns"),
            search: words("search"),
            hostname: field("hostname").unwrap_or("").trim().to_string(),
            failed: words("failed"),
        })
    }

    pub fn by_mac(&self, mac: &str) -> Option<&Iface> {
        self.ifaces.iter().find(|i| i.mac.eq_ignore_ascii_case(mac))
    }

    pub fn iface(&self, name: &str) -> Option<&Iface> {
        self.ifaces.iter().find(|i| i.name == name)
    }

    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }

    /// The link whose own (permanent) MAC is `mac`.
    pub fn link_by_mac(&self, mac: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.mac.eq_ignore_ascii_case(mac))
    }

    /// One line per interface, for failure messages.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for i in &self.ifaces {
            let routes: Vec<String> = self
                .routes
                .iter()
                .filter(|r| r.dev == i.name)
                .map(|r| format!("{} via {}", r.dst, r.gateway.as_deref().unwrap_or("-")))
                .collect();
            let mut what = String::new();
            if let Some(l) = self.link(&i.name) {
                if l.mac != i.mac {
                    what.push_str(&format!(" permaddr {}", l.mac));
                }
                for (k, v) in [("kind", &l.kind), ("on", &l.lower), ("master", &l.master)] {
                    if let Some(v) = v {
                        what.push_str(&format!(" {k} {v}"));
                    }
                }
                for k in ["mode", "miimon", "id", "stp_state"] {
                    if let Some(v) = l.datum(k) {
                        what.push_str(&format!(" {k} {v}"));
                    }
                }
            }
            s.push_str(&format!(
                "  {} {}{what} mtu {} {} addrs [{}] routes [{}]\n",
                i.name,
                i.mac,
                i.mtu,
                if i.up { "UP" } else { "DOWN" },
                i.addrs.join(" "),
                routes.join(", ")
            ));
        }
        s.push_str(&format!(
            "  dns [{}] search [{}] hostname {} failed units [{}]\n",
            self.dns.join(" "),
            self.search.join(" "),
            self.hostname,
            self.failed.join(" ")
        ));
        s
    }
}

/// What one NIC should look like in the booted guest.
#[derive(Debug, Clone, Default)]
pub struct Want<'a> {
    pub mac: &'a str,
    /// The interface name asked for.
    pub name: Option<&'a str>,
    /// An address the NIC must have (`ADDR/PREFIX`), or for DHCP, the network its leased
    /// address must be in (`dhcp:NET/PREFIX`).
    pub v4: Option<&'a str>,
    pub gw4: Option<&'a str>,
    pub v6: Option<&'a str>,
    pub gw6: Option<&'a str>,
    pub mtu: Option<u64>,
    /// Name servers the resolver must know.
    pub dns: &'a [&'a str],
    /// Not configured: no IPv4 and no global IPv6 address at all.
    pub bare: bool,
    /// Addresses and names this NIC must not have (e.g. those of a removed config).
    pub not_name: Option<&'a str>,
    pub not_addr: Option<&'a str>,
}

impl Want<'_> {
    /// What is wrong with this NIC in `r`, if anything.
    pub fn problems(&self, r: &Report) -> Vec<String> {
        let Some(i) = r.by_mac(self.mac) else {
            return vec![format!("MAC {}: no interface with this MAC in the guest", self.mac)];
        };
        let mut p = Vec::new();
        let mut bad = |what: String| p.push(format!("MAC {} (guest calls it {}): {what}", self.mac, i.name));
        if let Some(n) = self.name
            && i.name != n
        {
            bad(format!("wanted name {n}"));
        }
        if let Some(n) = self.not_name
            && i.name == n
        {
            bad(format!("must not be named {n}"));
        }
        if let Some(v4) = self.v4 {
            let ok = match v4.strip_prefix("dhcp:") {
                Some(net) => {
                    let net: IpNet = net.parse().expect("network in test");
                    i.addrs.iter().any(|a| {
                        a.parse::<IpNet>().is_ok_and(|a| a.prefix_len() == net.prefix_len() && net.contains(&a.addr()))
                    })
                }
                None => i.addrs.iter().any(|a| a == v4),
            };
            if !ok {
                bad(format!("wanted IPv4 {v4}"));
            }
        }
        if let Some(v6) = self.v6
            && !i.addrs.iter().any(|a| a == v6)
        {
            bad(format!("wanted IPv6 {v6}"));
        }
        for gw in [self.gw4, self.gw6].into_iter().flatten() {
            let found =
                r.routes.iter().any(|rt| rt.dst == "default" && rt.dev == i.name && rt.gateway.as_deref() == Some(gw));
            if !found {
                bad(format!("wanted a default route via {gw}"));
            }
        }
        if let Some(m) = self.mtu
            && i.mtu != m
        {
            bad(format!("wanted MTU {m}"));
        }
        for d in self.dns {
            if !r.dns.iter().any(|x| x.parse::<IpAddr>().ok() == d.parse::<IpAddr>().ok()) {
                bad(format!("wanted name server {d} in the resolver"));
            }
        }
        if self.bare && !i.addrs.is_empty() {
            bad(format!("wanted no address, has {}", i.addrs.join(" ")));
        }
        if let Some(a) = self.not_addr
            && i.addrs.iter().any(|x| x == a)
        {
            bad(format!("must not have {a}"));
        }
        p
    }
}

/// What one link of a topology should look like in the booted guest: `ip -j -d link` for
/// what it is and what it belongs to, `ip -j addr` for its addresses.
#[derive(Debug, Clone, Default)]
pub struct LinkWant<'a> {
    /// The name asked for.
    pub name: &'a str,
    /// An Ethernet NIC's own MAC: the link is found by it (its permanent MAC, whatever its
    /// bond set), and must carry `name`. Links without one are found by `name`.
    pub mac: Option<&'a str>,
    /// `linkinfo.info_kind`: `bond`, `vlan`, `bridge`; `None`: a plain NIC.
    pub kind: Option<&'a str>,
    /// The bond or bridge it must be a port of; `None`: a port of none.
    pub master: Option<&'a str>,
    /// The link a VLAN must run on.
    pub lower: Option<&'a str>,
    /// `linkinfo.info_data` values it must have, as text (`("mode", "active-backup")`).
    pub data: &'a [(&'a str, &'a str)],
    /// An IPv4 address it must have, `ADDR/PREFIX`.
    pub v4: Option<&'a str>,
    /// No IPv4 and no global IPv6 address (a member: its master has them).
    pub bare: bool,
}

impl LinkWant<'_> {
    /// What is wrong with this link in `r`, if anything.
    pub fn problems(&self, r: &Report) -> Vec<String> {
        let found = match self.mac {
            Some(mac) => r.link_by_mac(mac),
            None => r.link(self.name),
        };
        let Some(l) = found else {
            return vec![match self.mac {
                Some(mac) => format!("{}: no link with MAC {mac} in the guest", self.name),
                None => format!("{}: no such link in the guest", self.name),
            }];
        };
        let mut p = Vec::new();
        let mut bad = |what: String| p.push(format!("{} (guest link {}, MAC {}): {what}", self.name, l.name, l.mac));
        if l.name != self.name {
            bad(format!("wanted name {}", self.name));
        }
        if !l.up {
            bad("not up".into());
        }
        if l.kind.as_deref() != self.kind {
            bad(format!("kind {} (wanted {})", l.kind.as_deref().unwrap_or("none"), self.kind.unwrap_or("none")));
        }
        if l.master.as_deref() != self.master {
            bad(format!("master {} (wanted {})", l.master.as_deref().unwrap_or("none"), self.master.unwrap_or("none")));
        }
        if let Some(lower) = self.lower
            && l.lower.as_deref() != Some(lower)
        {
            bad(format!("on {} (wanted on {lower})", l.lower.as_deref().unwrap_or("nothing")));
        }
        for (k, v) in self.data {
            let got = l.datum(k);
            if got.as_deref() != Some(*v) {
                bad(format!("{k} {} (wanted {v})", got.as_deref().unwrap_or("absent")));
            }
        }
        let addrs = r.iface(&l.name).map(|i| i.addrs.clone()).unwrap_or_default();
        if let Some(v4) = self.v4
            && !addrs.iter().any(|a| a == v4)
        {
            bad(format!("wanted IPv4 {v4}"));
        }
        if self.bare && !addrs.is_empty() {
            bad(format!("wanted no address, has {}", addrs.join(" ")));
        }
        p
    }
}

impl Report {
    /// Why the route to `dst` via `gateway` on `dev` is not in the guest's table, if it is not.
    pub fn route_problem(&self, dst: &str, gateway: &str, dev: &str) -> Option<String> {
        let found = self.routes.iter().any(|r| r.dst == dst && r.gateway.as_deref() == Some(gateway) && r.dev == dev);
        (!found).then(|| format!("no route to {dst} via {gateway} dev {dev}"))
    }

    /// Why the resolver's search list does not hold `domains` in that order, if it does not.
    pub fn search_problem(&self, domains: &[&str]) -> Option<String> {
        let at: Vec<Option<usize>> = domains.iter().map(|d| self.search.iter().position(|s| s == d)).collect();
        let in_order = at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]);
        (!in_order).then(|| format!("wanted search domains {} in this order in the resolver", domains.join(" ")))
    }
}

/// `problems`, each line prefixed with `label` (stack and case); with the guest's whole
/// report when there is any.
pub fn labelled(label: &str, r: &Report, problems: Vec<String>) -> Vec<String> {
    if problems.is_empty() {
        return problems;
    }
    let mut out: Vec<String> = problems.into_iter().map(|p| format!("{label}: {p}")).collect();
    out.push(format!("{label}: the guest reported:\n{}", r.summary()));
    out
}

/// Every problem of `wants` in `r`, [`labelled`].
pub fn check(label: &str, r: &Report, wants: &[Want<'_>]) -> Vec<String> {
    labelled(label, r, wants.iter().flat_map(|w| w.problems(r)).collect())
}

/// A private libvirtd (and virtlogd) in network, mount and PID namespaces of its own
/// (tests/support/labns): the guest it boots sends its packets only to bridges inside.
/// Everything in it ends when this is dropped.
pub struct Lab {
    unshare: std::process::Child,
    /// The namespaces' first process, as the host numbers it (for nsenter).
    pid: u32,
    _state: tempfile::TempDir,
}

impl Lab {
    pub fn start() -> Lab {
        use std::io::BufRead;
        let state = tempfile::Builder::new().prefix("rejviz-lab.").tempdir().expect("tempdir");
        let mut unshare = Command::new("unshare")
            .args(["--net", "--mount", "--pid", "--fork", "--mount-proc", "--kill-child"])
            .arg(root().join("tests/support/labns"))
            .arg(state.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("unshare");
        let stdout = unshare.stdout.take().expect("stdout");
        let ready = std::io::BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l == "READY");
        let upid = unshare.id();
        let children = std::fs::read_to_string(format!("/proc/{upid}/task/{upid}/children")).unwrap_or_default();
        let pid = children.split_whitespace().next().and_then(|p| p.parse().ok());
        let (true, Some(pid)) = (ready, pid) else {
            let _ = unshare.kill();
            panic!("tests/support/labns did not start a private libvirtd");
        };
        Lab { unshare, pid, _state: state }
    }

    /// `program` run inside the lab's namespaces (with this process's environment).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("-t").arg(self.pid.to_string()).args(["-p", "-n", "-m", "--"]).arg(program);
        c
    }

    /// Like [`Lab::command`], from a test command (program, arguments and environment kept).
    pub fn wrap(&self, cmd: &Command) -> Command {
        let mut c = self.command(cmd.get_program());
        c.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    }

    /// `virsh -c qemu:///system ARGS` in the lab: stdout, or a panic with stderr.
    pub fn virsh(&self, args: &[&str]) -> String {
        let out = self.command("virsh").args(["-c", "qemu:///system"]).args(args).output().expect("virsh");
        assert!(out.status.success(), "virsh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // SIGKILL to unshare: its child (PID 1 inside) gets SIGKILL too (--kill-child), and
        // the kernel ends every other process of the PID namespace with it.
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
    }
}
