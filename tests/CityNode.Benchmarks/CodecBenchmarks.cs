using BenchmarkDotNet.Attributes;
using CityNode.Host.Codecs;
using CityNode.Host.Data;
using CityNode.Telemetry;

namespace CityNode.Benchmarks;

/// <summary>
/// Encode and decode throughput of the CityNode codec on a real batch (64 samples × 5 channels of
/// Sensor.Community air data, 320 readings), with delta + varint in the same run as the baseline.
/// Readings per second = 320 / mean time. Allocations: the encoder and decoder allocate nothing
/// per batch (MemoryDiagnoser).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    public const int Samples = 64;

    private SampleBatch _batch = null!;
    private SampleBatch _into = null!;
    private BatchEncoder _encoder = null!;
    private BatchDecoder _decoder = null!;
    private byte[] _payload = null!;
    private long[][] _steps = null!;
    private bool[][] _present = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rec = Recording.Load(Path.Combine(AppContext.BaseDirectory, "data", "sensorcommunity_aberdeen_2018-10_slice.csv"));
        string[] cols = { "pm10_ugm3", "pm25_ugm3", "temperature_c", "humidity_pct", "pressure_pa" };
        _batch = new SampleBatch(Samples, cols.Length) { Count = Samples, ChannelCount = cols.Length };
        _steps = new long[cols.Length][];
        _present = new bool[cols.Length][];
        for (int i = 0; i < Samples; i++)
        {
            _batch.Times[i] = rec.Times[100 + i];
        }

        for (int c = 0; c < cols.Length; c++)
        {
            _batch.Channels[c].Set(Channels.FirstCustom + c, Units.None, 1, -2);
            _steps[c] = new long[Samples];
            _present[c] = Enumerable.Repeat(true, Samples).ToArray();
            for (int i = 0; i < Samples; i++)
            {
                int v = (int)Math.Round(rec[cols[c]].Values[100 + i] * 100);
                _batch.Values[_batch.Index(c, i)] = v;
                _steps[c][i] = v;
            }
        }

        _encoder = new BatchEncoder(BatchEncoder.WorstCaseSize(Samples, cols.Length), Samples);
        _decoder = new BatchDecoder();
        _into = new SampleBatch(Samples, cols.Length);
        int len = _encoder.Encode(_batch, 1, 1, null);
        _payload = _encoder.Buffer[..len];
    }

    [Benchmark(Baseline = true, Description = "delta+varint size (baseline)")]
    public int DeltaVarintSize() => DeltaVarint.EncodedBytes(_batch.Times, Samples, _steps, _present);

    [Benchmark(Description = "citynode encode")]
    public int Encode() => _encoder.Encode(_batch, 1, 1, null);

    [Benchmark(Description = "citynode decode")]
    public int Decode()
    {
        _decoder.Decode(_payload, 0, _payload.Length, _into);
        return _into.Count;
    }
}
