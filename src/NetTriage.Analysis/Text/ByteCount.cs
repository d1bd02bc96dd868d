using System.Globalization;

namespace NetTriage.Analysis.Text;

/// <summary>
/// A volume as the report writes it everywhere, in its prose and in its fields: "980 B", "35.2 KiB", "12 MiB"
/// (binary units, one decimal), so a figure read in a summary is the same figure in the table below it.
/// </summary>
public static class ByteCount
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB"];

    public static string Format(long bytes)
    {
        if (bytes < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
