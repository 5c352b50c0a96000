using System.Text;
using CityNode.Delivery;

namespace CityNode.Host.Receiving;

/// <summary>
/// The backend's acknowledgement of one node (docs/reliability.md): the sequence numbers stored,
/// as the ascending ranges the node parses with <see cref="BackendAck"/>. Only the highest
/// <see cref="BackendAck.MaxRanges"/> ranges are sent: a node's pending batches are its newest
/// (it drops and releases oldest first), so a gap far below them (a batch the node dropped, counted)
/// no longer matters to it.
/// </summary>
public static class StoredRanges
{
    /// <summary>The acknowledgement text for these stored sequences (any order, duplicates allowed); null when there are none.</summary>
    public static string? Format(IEnumerable<uint> stored)
    {
        var ranges = new List<(uint From, uint To)>();
        foreach (uint s in stored.Where(s => s > 0).Distinct().Order())
        {
            if (ranges.Count > 0 && ranges[^1].To + 1 == s)
            {
                ranges[^1] = (ranges[^1].From, s);
            }
            else
            {
                ranges.Add((s, s));
            }
        }

        if (ranges.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var (from, to) in ranges.Skip(Math.Max(0, ranges.Count - BackendAck.MaxRanges)))
        {
            text.Append(text.Length == 0 ? "" : ",").Append(from).Append('-').Append(to);
        }

        return text.ToString();
    }
}
