using System.Text.Json;

namespace CityNode.Tests.Receiving;

/// <summary>Resolves a SenML pack into absolute records (RFC 8428 §4.6), so packs that differ only in grouping compare equal.</summary>
public static class SenmlResolver
{
    public readonly record struct Resolved(string Name, string? Unit, long Time, string Value);

    public static List<Resolved> Resolve(string json)
    {
        var list = new List<Resolved>();
        string bn = "";
        long bt = 0;
        foreach (var rec in JsonDocument.Parse(json).RootElement.EnumerateArray())
        {
            if (rec.TryGetProperty("bn", out var b))
            {
                bn = b.GetString()!;
            }

            if (rec.TryGetProperty("bt", out var t0))
            {
                bt = t0.GetInt64();
            }

            long t = rec.TryGetProperty("t", out var t1) ? t1.GetInt64() : 0;
            list.Add(new Resolved(bn + rec.GetProperty("n").GetString(), rec.TryGetProperty("u", out var u) ? u.GetString() : null, bt + t,
                rec.GetProperty("v").GetRawText()));
        }

        return list.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Time).ToList();
    }
}
