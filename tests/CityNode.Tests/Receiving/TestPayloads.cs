using CityNode.Telemetry;

namespace CityNode.Tests.Receiving;

/// <summary>Encoded batches for receiver and store tests, built with the node's own encoder.</summary>
public static class TestPayloads
{
    /// <summary>One channel, two samples: the smallest realistic batch.</summary>
    public static byte[] Simple(uint node, uint seq)
    {
        var b = new SampleBatch(2, 1) { Count = 2, ChannelCount = 1 };
        b.Channels[0].Set(Channels.AirTemperature, Units.Celsius, 1, -2);
        b.Times[0] = 1_700_000_000 + (seq * 120);
        b.Times[1] = b.Times[0] + 60;
        return Encode(b, node, seq, null);
    }

    /// <summary>
    /// Three channels (temperature 0.01 °C, pressure 1 Pa, pH 0.001) over <paramref name="samples"/>
    /// minutes, values from the node and sequence, one fault, one invalid and one missing slot, and
    /// diagnostics with a reason text.
    /// </summary>
    public static byte[] Rich(uint node, uint seq, int samples = 10)
    {
        var b = new SampleBatch(samples, 3) { Count = samples, ChannelCount = 3 };
        b.Channels[0].Set(Channels.AirTemperature, Units.Celsius, 1, -2);
        b.Channels[1].Set(Channels.AirPressure, Units.Pascal, 1, 0);
        b.Channels[2].Set(Channels.Ph, Units.PH, 1, -3);
        for (int i = 0; i < samples; i++)
        {
            b.Times[i] = 1_760_000_000 + (seq * samples * 60) + (i * 60);
            b.Values[b.Index(0, i)] = -523 + (int)(node * 7) + i;
            b.Values[b.Index(1, i)] = 101_325 - (int)seq + i;
            b.Values[b.Index(2, i)] = 7_012 + (i * 3);
        }

        b.Status[b.Index(0, Math.Min(1, samples - 1))] = ReadingStatus.Fault;
        b.Status[b.Index(1, Math.Min(2, samples - 1))] = ReadingStatus.Invalid;
        b.Status[b.Index(2, Math.Min(3, samples - 1))] = ReadingStatus.Missing;
        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.BatteryMillivolts, 3700 + (int)seq);
        d.Set(NodeDiagnostics.RssiDbm, -71);
        d.Set(NodeDiagnostics.BootMs, 1500);
        d.Set(NodeDiagnostics.ConnectMs, 2200);
        d.SetText("sensor pm: no frame");
        return Encode(b, node, seq, d);
    }

    private static byte[] Encode(SampleBatch b, uint node, uint seq, NodeDiagnostics? d)
    {
        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(b.Count, b.ChannelCount) + 256, b.Count);
        int len = enc.Encode(b, node, seq, d);
        return enc.Buffer[..len];
    }
}
