namespace NetTriage.Packets;

/// <summary>
/// Link-layer header types (tcpdump.org/linktypes.html). Values are the LINKTYPE_ numbers
/// written in pcap and pcapng files; the DLT_ aliases 12/14 for raw IP are mapped on read.
/// </summary>
public enum LinkType : ushort
{
    Null = 0,            // BSD loopback, host-order 4-byte family
    Ethernet = 1,
    Ppp = 9,             // PPP (RFC 1661), address and control optional
    RawDlt12 = 12,       // DLT_RAW on most platforms
    RawDlt14 = 14,       // DLT_RAW on OpenBSD
    PppSerial = 50,      // PPP in HDLC-like framing (RFC 1662), or Cisco HDLC
    Raw = 101,           // LINKTYPE_RAW
    Loop = 108,          // OpenBSD loopback, network-order 4-byte family
    Ieee80211 = 105,     // IEEE 802.11 frames without a radio header
    LinuxSll = 113,
    Prism = 119,         // Prism monitoring header, then 802.11
    Radiotap = 127,      // radiotap header, then 802.11
    Avs = 163,           // AVS monitoring header, then 802.11
    Ipv4 = 228,
    Ipv6 = 229,
    LinuxSll2 = 276,
    /// <summary>Not from a file: the packet came from tcpdump text.</summary>
    Text = 0xFFFF,
}
