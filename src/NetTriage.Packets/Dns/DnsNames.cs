namespace NetTriage.Packets.Dns;

/// <summary>DNS RR types (IANA "Resource Record (RR) TYPEs").</summary>
public static class DnsType
{
    public const ushort A = 1;
    public const ushort NS = 2;
    public const ushort CNAME = 5;
    public const ushort SOA = 6;
    public const ushort PTR = 12;
    public const ushort HINFO = 13;
    public const ushort MX = 15;
    public const ushort TXT = 16;
    public const ushort AAAA = 28;
    public const ushort SRV = 33;
    public const ushort NAPTR = 35;
    public const ushort OPT = 41;
    public const ushort DS = 43;
    public const ushort RRSIG = 46;
    public const ushort NSEC = 47;
    public const ushort DNSKEY = 48;
    public const ushort SVCB = 64;
    public const ushort HTTPS = 65;
    public const ushort ANY = 255;
}

/// <summary>DNS RCODEs (RFC 1035 4.1.1, RFC 6895 2.3).</summary>
public static class DnsRcode
{
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NXDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
    public const int YXDomain = 6;
    public const int YXRRSet = 7;
    public const int NXRRSet = 8;
    public const int NotAuth = 9;
    public const int NotZone = 10;
    public const int BadVers = 16;
}

/// <summary>DNS opcodes (RFC 1035 4.1.1, RFC 1996, RFC 2136, RFC 8490).</summary>
public static class DnsOpcode
{
    public const int Query = 0;
    /// <summary>Inverse query, obsolete (RFC 3425).</summary>
    public const int IQuery = 1;
    public const int Status = 2;
    public const int Notify = 4;
    public const int Update = 5;
    /// <summary>DNS stateful operations: a session over TCP, not a request and its answer.</summary>
    public const int Dso = 6;
}

/// <summary>
/// Mnemonics for types, classes and rcodes, spelled as tcpdump prints them (print-domain.c,
/// ns_type2str / ns_rcode), so the text source and the line printer speak the same names.
/// </summary>
public static class DnsNames
{
    private static readonly (ushort Value, string Name)[] Types =
    [
        (1, "A"), (2, "NS"), (3, "MD"), (4, "MF"), (5, "CNAME"), (6, "SOA"), (7, "MB"), (8, "MG"), (9, "MR"),
        (10, "NULL"), (11, "WKS"), (12, "PTR"), (13, "HINFO"), (14, "MINFO"), (15, "MX"), (16, "TXT"),
        (17, "RP"), (18, "AFSDB"), (19, "X25"), (20, "ISDN"), (21, "RT"), (22, "NSAP"), (23, "NSAP_PTR"),
        (24, "SIG"), (25, "KEY"), (26, "PX"), (27, "GPOS"), (28, "AAAA"), (29, "LOC"), (30, "NXT"),
        (31, "EID"), (32, "NIMLOC"), (33, "SRV"), (34, "ATMA"), (35, "NAPTR"), (36, "KX"), (37, "CERT"),
        (38, "A6"), (39, "DNAME"), (40, "SINK"), (41, "OPT"), (42, "APL"), (43, "DS"), (44, "SSHFP"),
        (45, "IPSECKEY"), (46, "RRSIG"), (47, "NSEC"), (48, "DNSKEY"), (49, "DHCID"), (50, "NSEC3"),
        (51, "NSEC3PARAM"), (52, "TLSA"), (53, "SMIMEA"), (55, "HIP"), (56, "NINFO"), (57, "RKEY"),
        (58, "TALINK"), (59, "CDS"), (60, "CDNSKEY"), (61, "OPENPGPKEY"), (62, "CSYNC"), (63, "ZONEMD"),
        (64, "SVCB"), (65, "HTTPS"), (99, "SPF"), (100, "UINFO"), (101, "UID"), (102, "GID"), (103, "UNSPEC"),
        (249, "TKEY"), (250, "TSIG"), (251, "IXFR"), (252, "AXFR"), (253, "MAILB"), (254, "MAILA"),
        (255, "ANY"), (256, "URI"), (257, "CAA"), (32768, "TA"), (32769, "DLV"),
    ];

    private static readonly string[] Rcodes =
    [
        "NoError", "FormErr", "ServFail", "NXDomain", "NotImp", "Refused", "YXDomain", "YXRRSet",
        "NXRRSet", "NotAuth", "NotZone", "Resp11", "Resp12", "Resp13", "Resp14", "NoChange",
    ];

    /// <summary>The mnemonic of a type, or null when it has none.</summary>
    public static string? TypeName(ushort type)
    {
        foreach (var (value, name) in Types)
        {
            if (value == type) return name;
        }
        return null;
    }

    public static bool TryParseType(ReadOnlySpan<char> name, out ushort type)
    {
        foreach (var (value, n) in Types)
        {
            if (name.SequenceEqual(n))
            {
                type = value;
                return true;
            }
        }
        type = 0;
        return false;
    }

    /// <summary>The rcode's name as tcpdump prints it; extended rcodes (RFC 6891) by their IANA names.</summary>
    public static string RcodeName(int rcode) => rcode switch
    {
        >= 0 and < 16 => Rcodes[rcode],
        16 => "BadVers",
        17 => "BadKey",
        18 => "BadTime",
        19 => "BadMode",
        20 => "BadName",
        21 => "BadAlg",
        22 => "BadTrunc",
        23 => "BadCookie",
        _ => "Resp" + rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static bool TryParseRcode(ReadOnlySpan<char> name, out int rcode)
    {
        for (int i = 0; i < 24; i++)
        {
            if (name.SequenceEqual(RcodeName(i)))
            {
                rcode = i;
                return true;
            }
        }
        rcode = 0;
        return false;
    }

    /// <summary>Class mnemonic as tcpdump prints it (ns_class2str).</summary>
    public static string ClassName(ushort @class) => @class switch
    {
        1 => "IN",
        3 => "CHAOS",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => "CLASS" + @class.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
