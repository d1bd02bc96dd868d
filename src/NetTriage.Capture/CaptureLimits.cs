namespace NetTriage.Capture;

/// <summary>Caps on what a capture file may claim, so a hostile length field cannot exhaust memory.</summary>
public static class CaptureLimits
{
    /// <summary>
    /// Largest captured length of one packet (libpcap's MAXIMUM_SNAPLEN, 256 KiB). A record claiming more
    /// cannot be framed and stops the file with <see cref="CaptureErrorReason.CapturedLengthTooLarge"/>.
    /// </summary>
    public const int MaxCapturedLength = 262_144;

    /// <summary>Interfaces one pcapng section may describe before the file is refused.</summary>
    public const int MaxInterfacesPerSection = 65_536;
}
