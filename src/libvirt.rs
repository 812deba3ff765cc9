//! libvirt access (the `virt` crate): connecting, and what a domain's XML says about its
//! disks and network interfaces. XML parsing is separate from the connection so that it can
//! be tested on its own.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use ipnet::{Ipv4Net, ipv4_mask_to_prefix};

use serde::Serialize;

use crate::inspect::Disk;
use crate::nic::MacAddr;

#[derive(Debug, thiserror::Error)]
pub enum LibvirtError {
    #[error("cannot connect to libvirt at {uri}: {msg}")]
    Unreachable { uri: String, msg: String },
    #[error("no domain named '{name}' at {uri}")]
    UnknownDomain { name: String, uri: String },
    #[error("cannot list the domains at {uri}: {msg}")]
    List { uri: String, msg: String },
    #[error("domain {domain}: {msg}")]
    Domain { domain: String, msg: String },
    #[error("domain XML: {0}")]
    Xml(String),
}

/// One `<interface>` of a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainInterface {
    pub mac: Option<MacAddr>,
    /// `network`, `bridge`, `user`, `direct`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The network name, bridge name or device, by type.
    pub source: Option<String>,
    pub model: Option<String>,
}

/// What we read of a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInfo {
    pub name: String,
    pub uri: String,
    pub active: bool,
    pub disks: Vec<Disk>,
    pub interfaces: Vec<DomainInterface>,
}

/// A libvirt virtual network, as far as NIC mapping cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInfo {
    pub name: String,
    pub active: bool,
    /// IPv4 subnets of its `<ip>` elements (the host's address with the prefix).
    pub ipv4: Vec<Ipv4Net>,
    /// Whether any IPv4 `<ip>` has a `<dhcp><range>`.
    pub dhcp: bool,
}

/// Every network of the connection, active or not, sorted by name.
pub fn networks(conn: &virt::connect::Connect) -> Result<Vec<NetworkInfo>, LibvirtError> {
    let err = |e: virt::error::Error| LibvirtError::Domain { domain: "networks".into(), msg: e.message().to_string() };
    let mut out = Vec::new();
    for net in conn.list_all_networks(0).map_err(err)? {
        let name = net.name().map_err(err)?;
        let active = net.is_active().map_err(err)?;
        let (ipv4, dhcp) = parse_network_xml(&net.xml_desc(0).map_err(err)?)?;
        out.push(NetworkInfo { name, active, ipv4, dhcp });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// IPv4 subnets and whether DHCP is served, from a network's XML.
pub fn parse_network_xml(xml: &str) -> Result<(Vec<Ipv4Net>, bool), LibvirtError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| LibvirtError::Xml(e.to_string()))?;
    let mut nets = Vec::new();
    let mut dhcp = false;
    for ip in doc.root_element().children().filter(|n| n.has_tag_name("ip")) {
        if ip.attribute("family").is_some_and(|f| f != "ipv4") {
            continue;
        }
        let Some(addr) = ip.attribute("address").and_then(|a| a.parse::<Ipv4Addr>().ok()) else { continue };
        let prefix = match (ip.attribute("prefix"), ip.attribute("netmask")) {
            (Some(p), _) => p.parse::<u8>().ok(),
            (None, Some(m)) => m.parse::<Ipv4Addr>().ok().and_then(|m| ipv4_mask_to_prefix(m).ok()),
            (None, None) => Some(24),
        };
        if let Some(net) = prefix.and_then(|p| Ipv4Net::new(addr, p).ok()) {
            nets.push(net);
            dhcp |= child(ip, "dhcp").is_some_and(|d| d.children().any(|r| r.has_tag_name("range")));
        }
    }
    Ok((nets, dhcp))
}

/// How to name a connection in messages: the URI asked for, else `LIBVIRT_DEFAULT_URI`,
/// else libvirt's default.
pub fn describe_uri(uri: Option<&str>) -> String {
    match uri {
        Some(u) => u.to_string(),
        None => match std::env::var("LIBVIRT_DEFAULT_URI") {
            Ok(u) if !u.is_empty() => u,
            _ => "libvirt's default URI".to_string(),
        },
    }
}

/// Opens a connection (`None`: `LIBVIRT_DEFAULT_URI`, then libvirt's default).
pub fn connect(uri: Option<&str>) -> Result<virt::connect::Connect, LibvirtError> {
    // libvirt prints every error to stderr by default; ours say it once, in one line.
    virt::error::clear_error_callback();
    virt::connect::Connect::open(uri)
        .map_err(|e| LibvirtError::Unreachable { uri: describe_uri(uri), msg: e.message().to_string() })
}

/// The URI of `conn`, as messages and reports name it.
pub fn uri(conn: &virt::connect::Connect) -> String {
    conn.uri().unwrap_or_else(|_| "libvirt".into())
}

/// The domain `name`: its state, disks and interfaces. Read-only; works on a running domain.
pub fn domain(conn: &virt::connect::Connect, name: &str) -> Result<DomainInfo, LibvirtError> {
    let uri = uri(conn);
    let dom = conn
        .lookup_domain_by_name(name)
        .map_err(|_| LibvirtError::UnknownDomain { name: name.to_string(), uri: uri.clone() })?;
    describe(&dom, name, &uri)
}

/// A domain of [`all_domains`]: its name, and what it is or why libvirt could not say.
pub type Described = (String, Result<DomainInfo, LibvirtError>);

/// Every domain of the connection, defined or transient, running or not, sorted by name
/// (natural order: vm2 before vm10).
pub fn all_domains(conn: &virt::connect::Connect) -> Result<Vec<Described>, LibvirtError> {
    let uri = uri(conn);
    let listed =
        conn.list_all_domains(0).map_err(|e| LibvirtError::List { uri: uri.clone(), msg: e.message().to_string() })?;
    let mut out: Vec<Described> = listed
        .iter()
        // A domain without a name (gone since the listing) is not listed.
        .filter_map(|dom| dom.name().ok().map(|name| (name, dom)))
        .map(|(name, dom)| {
            let info = describe(dom, &name, &uri);
            (name, info)
        })
        .collect();
    out.sort_by(|(a, _), (b, _)| crate::nic::natural_cmp(a, b).then_with(|| a.cmp(b)));
    Ok(out)
}

/// What `dom` (named `name`, at `uri`) is: its state, disks and interfaces. Read-only.
fn describe(dom: &virt::domain::Domain, name: &str, uri: &str) -> Result<DomainInfo, LibvirtError> {
    let err = |e: virt::error::Error| LibvirtError::Domain { domain: name.to_string(), msg: e.message().to_string() };
    let xml = dom.xml_desc(0).map_err(err)?;
    let active = dom.is_active().map_err(err)?;
    let (disks, interfaces) = parse_domain_xml(&xml)?;
    Ok(DomainInfo { name: name.to_string(), uri: uri.to_string(), active, disks, interfaces })
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(tag))
}

/// Disks (`<disk device='disk'>` with a file or block source, with the driver's format) and
/// interfaces of a domain XML, in document order.
pub fn parse_domain_xml(xml: &str) -> Result<(Vec<Disk>, Vec<DomainInterface>), LibvirtError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| LibvirtError::Xml(e.to_string()))?;
    let devices = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("devices"))
        .ok_or_else(|| LibvirtError::Xml("no <devices>".into()))?;
    let mut disks = Vec::new();
    let mut interfaces = Vec::new();
    for dev in devices.children().filter(|n| n.is_element()) {
        match dev.tag_name().name() {
            "disk" if dev.attribute("device").unwrap_or("disk") == "disk" => {
                let source = child(dev, "source");
                let path = source.and_then(|s| s.attribute("file").or_else(|| s.attribute("dev")));
                let Some(path) = path else {
                    return Err(LibvirtError::Xml(format!(
                        "disk of type '{}' has no file or block source, which rejviz cannot read",
                        dev.attribute("type").unwrap_or("?")
                    )));
                };
                let format = child(dev, "driver").and_then(|d| d.attribute("type")).map(str::to_string);
                disks.push(Disk { path: PathBuf::from(path), format });
            }
            "interface" => {
                let kind = dev.attribute("type").unwrap_or("").to_string();
                let mac = child(dev, "mac")
                    .and_then(|m| m.attribute("address"))
                    .map(|a| a.parse::<MacAddr>().map_err(|e| LibvirtError::Xml(e.to_string())))
                    .transpose()?;
                let source = child(dev, "source").and_then(|s| {
                    s.attribute("network").or_else(|| s.attribute("bridge")).or_else(|| s.attribute("dev"))
                });
                let model = child(dev, "model").and_then(|m| m.attribute("type"));
                interfaces.push(DomainInterface {
                    mac,
                    kind,
                    source: source.map(str::to_string),
                    model: model.map(str::to_string),
                });
            }
            _ => {}
        }
    }
    Ok((disks, interfaces))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_disks_and_interfaces() {
        let xml = r#"<domain type='kvm'><name>vm</name><devices>
            <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/a.qcow2'/><target dev='vda'/></disk>
            <disk type='file' device='cdrom'><source file='/iso/x.iso'/></disk>
            <disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/sdb'/></disk>
            <interface type='network'><mac address='52:54:00:AA:00:01'/><source network='default'/><model type='virtio'/></interface>
            <interface type='bridge'><mac address='52:54:00:aa:00:02'/><source bridge='br0'/></interface>
            <interface type='user'/>
          </devices></domain>"#;
        let (disks, ifaces) = parse_domain_xml(xml).unwrap();
        assert_eq!(
            disks,
            vec![
                Disk { path: "/var/lib/a.qcow2".into(), format: Some("qcow2".into()) },
                Disk { path: "/dev/sdb".into(), format: Some("raw".into()) },
            ]
        );
        assert_eq!(ifaces.len(), 3);
        assert_eq!(ifaces[0].mac.unwrap().to_string(), "52:54:00:aa:00:01");
        assert_eq!(
            (ifaces[0].kind.as_str(), ifaces[0].source.as_deref(), ifaces[0].model.as_deref()),
            ("network", Some("default"), Some("virtio"))
        );
        assert_eq!(
            (ifaces[1].kind.as_str(), ifaces[1].source.as_deref(), ifaces[1].model.as_deref()),
            ("bridge", Some("br0"), None)
        );
        assert_eq!((ifaces[2].mac, ifaces[2].source.as_deref()), (None, None));
    }

    #[test]
    fn parses_networks() {
        let xml = "<network><name>default</name><forward mode='nat'/><ip address='192.168.122.1' netmask='255.255.255.0'>\
                   <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>\
                   <ip family='ipv6' address='fd00::1' prefix='64'/></network>";
        let (nets, dhcp) = parse_network_xml(xml).unwrap();
        assert_eq!(nets.iter().map(|n| n.to_string()).collect::<Vec<_>>(), ["192.168.122.1/24"]);
        assert!(dhcp);
        let (nets, dhcp) =
            parse_network_xml("<network><name>iso</name><ip address='10.1.0.1' prefix='16'/></network>").unwrap();
        assert_eq!(nets[0].to_string(), "10.1.0.1/16");
        assert!(!dhcp);
        assert_eq!(
            parse_network_xml("<network><name>br</name><forward mode='bridge'/></network>").unwrap(),
            (vec![], false)
        );
    }

    #[test]
    fn refuses_network_disks() {
        let xml = "<domain><devices><disk type='network' device='disk'><source protocol='rbd' name='p/i'/></disk></devices></domain>";
        assert!(parse_domain_xml(xml).unwrap_err().to_string().contains("type 'network'"));
    }
}
