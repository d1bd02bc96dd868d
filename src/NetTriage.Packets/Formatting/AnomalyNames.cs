using System.Text;

namespace NetTriage.Packets.Formatting;

/// <summary>
/// Stable display names of <see cref="AnomalyKind"/> values in kebab case
/// (<c>DnsCompressionLoop</c> is <c>dns-compression-loop</c>), as the line printer shows them in
/// brackets and the JSON writer lists them. Built once; looking a name up allocates nothing.
/// </summary>
public static class AnomalyNames
{
    private static readonly string[] Names = Build();

    /// <summary>The kebab-case name of <paramref name="kind"/>.</summary>
    public static string Get(AnomalyKind kind) => Names[(byte)kind];

    private static string[] Build()
    {
        var names = new string[256];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = "anomaly-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (AnomalyKind kind in Enum.GetValues<AnomalyKind>())
        {
            names[(byte)kind] = ToKebab(kind.ToString());
        }
        return names;
    }

    private static string ToKebab(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c))
            {
                // A new word starts at an upper-case letter that follows a lower-case letter or digit,
                // or that begins a capitalised word after an acronym ("TLSMalformed" -> "tls-malformed").
                bool previousLower = i > 0 && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1]));
                bool acronymEnd = i > 0 && char.IsUpper(pascal[i - 1]) && i + 1 < pascal.Length && char.IsLower(pascal[i + 1]);
                if (previousLower || acronymEnd)
                {
                    sb.Append('-');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
