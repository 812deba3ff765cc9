//! Rejviz: VM and disk-image tools on top of libguestfs-tools and libvirt.
//!
//! Architecture, one module per concern:
//! - [`format`]: the five guest config formats, by name (a leaf);
//! - [`interrupt`]: whether a termination signal was received (a leaf every long wait polls);
//! - [`nic`]: the NIC model and the parsing and validation of `--nic` values;
//! - [`optlist`]: the `key=value,...` syntax shared by list-valued options;
//! - [`guestconf`]: guest network config files, a writer and reader per format;
//! - [`direct`]: the direct reader: raw images read in-process, no appliance;
//! - [`inspect`]: the read-only libguestfs reader (one appliance launch), and the front
//!   door that tries the direct reader first;
//! - [`libvirt`]: libvirt access and domain XML (disks, interfaces);
//! - [`pairing`]: which image config belongs to which domain interface (one rule);
//! - [`mapping`]: which network or bridge each image NIC is attached to;
//! - [`check`]: do image configs and domain interfaces agree on MACs;
//! - [`osinfo`]: the libosinfo id of an inspected guest;
//! - [`rhsm`]: RHSM registration as virt-customize operations;
//! - [`shell`]: the one shell-quoting rule (ifcfg files, our scripts, the lines we show);
//! - [`proxy`]: the proxy runner (argument scanning, masking, running the real tool);
//! - [`cmd`]: what each command adds, called by the thin binaries in `src/bin/`.

pub mod check;
pub mod cmd;
pub mod direct;
pub mod format;
pub mod guestconf;
pub mod inspect;
pub mod interrupt;
pub mod libvirt;
pub mod mapping;
pub mod nic;
pub mod optlist;
pub mod osinfo;
pub mod pairing;
pub mod proxy;
pub mod rhsm;
pub mod shell;
