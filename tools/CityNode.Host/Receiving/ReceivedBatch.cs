using CityNode.Telemetry;

namespace CityNode.Host.Receiving;

/// <summary>A decoded payload as the receiver hands it to a store.</summary>
public sealed class ReceivedBatch
{
    public required uint NodeId { get; init; }

    public required uint Sequence { get; init; }

    public required SampleBatch Samples { get; init; }

    /// <summary>Diagnostics fields present in the batch (name → value), and the reason text if any.</summary>
    public required IReadOnlyDictionary<string, long> Diagnostics { get; init; }

    public string? DiagnosticsText { get; init; }

    public required int PayloadBytes { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Every slot that is not missing.</summary>
    public int ReadingCount
    {
        get
        {
            int n = 0;
            for (int c = 0; c < Samples.ChannelCount; c++)
            {
                for (int i = 0; i < Samples.Count; i++)
                {
                    if (Samples.Status[Samples.Index(c, i)] != ReadingStatus.Missing)
                    {
                        n++;
                    }
                }
            }

            return n;
        }
    }

    /// <summary>Decodes a payload (throws <see cref="PayloadException"/> on bad input).</summary>
    public static ReceivedBatch Decode(byte[] payload, DateTimeOffset receivedAt)
    {
        var decoder = new BatchDecoder();
        var samples = decoder.DecodeNew(payload, 0, payload.Length);
        var diag = new Dictionary<string, long>();
        for (int f = 0; f < NodeDiagnostics.FieldCount; f++)
        {
            if (decoder.Diagnostics.Has(f))
            {
                diag[NodeDiagnostics.FieldName(f)] = decoder.Diagnostics.Get(f);
            }
        }

        return new ReceivedBatch
        {
            NodeId = decoder.Header.NodeId,
            Sequence = decoder.Header.Sequence,
            Samples = samples,
            Diagnostics = diag,
            DiagnosticsText = decoder.Diagnostics.Text,
            PayloadBytes = payload.Length,
            ReceivedAt = receivedAt,
        };
    }

    public long? Diagnostic(string name) => Diagnostics.TryGetValue(name, out var v) ? v : null;
}
