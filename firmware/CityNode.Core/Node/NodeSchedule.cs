using CityNode.Buffering;
using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// When the node samples, publishes and how it sleeps: the next sample time, the oldest sample not
    /// yet delivered (the freshness window runs from it), a reading that jumped (early publish), the
    /// retry backoff and the next sample id. Kept over a deep sleep in the runtime record
    /// (<see cref="Write"/>, <see cref="Read"/>).
    /// </summary>
    public sealed class NodeSchedule
    {
        /// <summary>Bytes <see cref="Write"/> takes.</summary>
        public const int RecordBytes = 17;

        /// <summary>Largest bytes <see cref="WriteEarly"/> takes: a count, then a channel and its last value per threshold.</summary>
        public const int MaxEarlyBytes = 1 + (NodeConfig.MaxEarlyThresholds * 9);

        private readonly Backoff _backoff;

        // Per early threshold: its channel's value at the last sample (µ-units) and whether it had one;
        // kept over deep sleep, so a jump between two deep-sleep wakes is seen too.
        private readonly long[] _before = new long[NodeConfig.MaxEarlyThresholds];
        private readonly int[] _beforeChannel = new int[NodeConfig.MaxEarlyThresholds];
        private int _beforeCount;
        private bool _early;
        private bool _radioRestart;

        public NodeSchedule(uint nodeId)
        {
            _backoff = new Backoff(30, 3600, nodeId);
        }

        /// <summary>Unix seconds of the next sample.</summary>
        public long NextSampleAt { get; private set; }

        /// <summary>Unix seconds of the oldest sample not yet delivered, 0 when none.</summary>
        public long OldestUndelivered { get; set; }

        /// <summary>The id the next sample gets.</summary>
        public uint NextSampleId { get; set; }

        public void Start(long now)
        {
            NextSampleAt = now;
        }

        public bool SampleDue(long now)
        {
            return now >= NextSampleAt;
        }

        /// <summary>
        /// A sample was taken at <paramref name="now"/>: it starts the freshness window if none runs, a
        /// jump in a configured channel asks for an early publish, and the next sample is due an
        /// interval later (from now, if the node fell behind).
        /// </summary>
        public void Sampled(SampleFrame frame, NodeConfig config, long now, int interval)
        {
            if (OldestUndelivered == 0)
            {
                OldestUndelivered = frame.Time;
            }

            // Compared with the last sample's values first, then those are replaced by this sample's.
            for (int i = 0; i < config.EarlyThresholdCount; i++)
            {
                long v;
                long before;
                if (frame.TryGetMicro(config.EarlyChannel(i), out v) && TryGetBefore(config.EarlyChannel(i), out before) && IntMath.Abs(v - before) >= config.EarlyMicro(i))
                {
                    _early = true;
                }
            }

            int kept = 0;
            for (int i = 0; i < config.EarlyThresholdCount; i++)
            {
                long v;
                if (frame.TryGetMicro(config.EarlyChannel(i), out v))
                {
                    _beforeChannel[kept] = config.EarlyChannel(i);
                    _before[kept] = v;
                    kept++;
                }
            }

            _beforeCount = kept; // a channel without a reading now is compared with nothing next time, as after a first sample
            NextSampleAt += interval;
            if (NextSampleAt <= now)
            {
                NextSampleAt = now + interval;
            }
        }

        /// <summary>
        /// Publish now? A backlog after a failure is retried as soon as the backoff allows; otherwise
        /// only if, by the next wake, the oldest sample not yet delivered would be older than the
        /// freshness window: one connection then serves every sample up to that age, the fewest
        /// connections the window allows (docs/energy.md).
        /// </summary>
        public bool ShouldPublish(long now, int pendingBatches, int bufferedSamples, NodeConfig config)
        {
            if (!_backoff.Allows(now) || (pendingBatches == 0 && bufferedSamples == 0))
            {
                return false;
            }

            return _early || _backoff.Failures > 0 || pendingBatches > 0 ||
                (OldestUndelivered != 0 && NextSampleAt - OldestUndelivered > config.PublishSeconds);
        }

        /// <summary>A publish session ran: delivered everything, or failed (the backoff grows).</summary>
        public void Published(bool delivered, long now)
        {
            _early = false;
            if (delivered)
            {
                _backoff.Succeeded();
                OldestUndelivered = 0;
            }
            else
            {
                _backoff.Failed(now);
            }
        }

        /// <summary>
        /// How long to sleep and how: until the next sample, or the end of the backoff if a backlog
        /// waits for it. Light or deep by the power policy, but deep after a connection where the radio
        /// stays on until a reset (one boot costs less than the radio through every wake until then),
        /// and deep when the next wake will connect and this boot has no radio — unless the config pins
        /// light sleep. <paramref name="sampleLagMs"/>: how long a sampling wake runs before it decides to
        /// publish (the sensors' warm-up and reads).
        /// </summary>
        public void ChooseSleep(CycleOutcome o, long nowMs, Publisher publisher, int sampleLagMs, NodeConfig config, PowerProfile power, INodePlatform platform)
        {
            int pending = publisher.ToSend(nowMs / 1000);
            long wakeAt = NextSampleAt;
            bool samples = true;
            if (pending > 0 && _backoff.NotBefore * 1000 > nowMs && _backoff.NotBefore < wakeAt)
            {
                wakeAt = _backoff.NotBefore;
                samples = false;
            }

            long ms = (wakeAt * 1000) - nowMs;
            if (ms < 0)
            {
                ms = 0;
            }

            o.SleepMs = (int)ms;
            o.Sleep = SleepPolicy.Choose(ms, power, config.Sleep);
            bool pinnedLight = config.Sleep == "light";
            if (o.Connected && platform.RadioStaysOnUntilReset && !pinnedLight && ms > power.BootMs)
            {
                o.Sleep = SleepKind.Deep;
            }

            // A sampling wake decides after the warm-up and the reads (15–30 s of a PM sensor's fan, 5 s
            // of an SCD41 measurement): foreseen at the wake itself, a backoff or resend time that ends
            // meanwhile finds a boot without its radio (NodeRuntime then restarts into one).
            long decideAt = samples ? wakeAt + ((sampleLagMs + 999) / 1000) : wakeAt;
            o.ConnectAtWake = WillPublishAt(decideAt, wakeAt, publisher.ToSend(decideAt), config);
            if (o.ConnectAtWake && !platform.RadioReady && !pinnedLight)
            {
                o.Sleep = SleepKind.Deep;
            }
        }

        /// <summary>
        /// The runtime will restart into a boot with the radio to publish (this one came up without it):
        /// the publish stays due over the reset, an early one included (kept in the record).
        /// </summary>
        public void PublishAfterReset()
        {
            _early = true;
            _radioRestart = true;
        }

        /// <summary>
        /// True (once) when the last boot restarted for the radio: if this boot has none either, the
        /// radio cannot be had (the Wi-Fi options did not save), and the session is tried as it is
        /// rather than restarting every second.
        /// </summary>
        public bool TakeRadioRestart()
        {
            bool was = _radioRestart;
            _radioRestart = false;
            return was;
        }

        /// <summary>ShouldPublish as it will stand at <paramref name="decideAt"/>, after the sample of the wake at <paramref name="wakeAt"/> (a new jump in the readings aside).</summary>
        private bool WillPublishAt(long decideAt, long wakeAt, int pendingBatches, NodeConfig config)
        {
            if (!_backoff.Allows(decideAt))
            {
                return false;
            }

            long oldest = OldestUndelivered != 0 ? OldestUndelivered : wakeAt;
            return _early || _backoff.Failures > 0 || pendingBatches > 0 || (wakeAt + config.SampleSeconds) - oldest > config.PublishSeconds;
        }

        private bool TryGetBefore(int channel, out long value)
        {
            for (int k = 0; k < _beforeCount; k++)
            {
                if (_beforeChannel[k] == channel)
                {
                    value = _before[k];
                    return true;
                }
            }

            value = 0;
            return false;
        }

        /// <summary>The early thresholds' last values (count, then channel and µ-value each); returns the bytes written.</summary>
        public int WriteEarly(byte[] r, int at)
        {
            r[at] = (byte)_beforeCount;
            for (int k = 0; k < _beforeCount; k++)
            {
                r[at + 1 + (k * 9)] = (byte)_beforeChannel[k];
                LittleEndian.WriteUInt32(r, at + 2 + (k * 9), (uint)_before[k]);
                LittleEndian.WriteUInt32(r, at + 6 + (k * 9), (uint)(_before[k] >> 32));
            }

            return 1 + (_beforeCount * 9);
        }

        /// <summary>Reads what <see cref="WriteEarly"/> wrote in <paramref name="length"/> bytes (nothing, from an older record: no jump is seen at the first sample).</summary>
        public void ReadEarly(byte[] r, int at, int length)
        {
            _beforeCount = 0;
            int n = length > 0 ? r[at] : 0;
            if (n > NodeConfig.MaxEarlyThresholds || length < 1 + (n * 9))
            {
                return;
            }

            for (int k = 0; k < n; k++)
            {
                _beforeChannel[k] = r[at + 1 + (k * 9)];
                _before[k] = (long)LittleEndian.ReadUInt32(r, at + 2 + (k * 9)) | ((long)LittleEndian.ReadUInt32(r, at + 6 + (k * 9)) << 32);
            }

            _beforeCount = n;
        }

        public void Write(byte[] r, int at)
        {
            LittleEndian.WriteUInt32(r, at, (uint)NextSampleAt);
            LittleEndian.WriteUInt32(r, at + 4, (uint)OldestUndelivered);
            // Failures in the low 6 bits (the delay reaches its cap after 7), the early publish and the restart for the radio above.
            r[at + 8] = (byte)((_backoff.Failures > 63 ? 63 : _backoff.Failures) | (_early ? 0x80 : 0) | (_radioRestart ? 0x40 : 0));
            LittleEndian.WriteUInt32(r, at + 9, (uint)_backoff.NotBefore);
            LittleEndian.WriteUInt32(r, at + 13, NextSampleId);
        }

        public void Read(byte[] r, int at)
        {
            NextSampleAt = LittleEndian.ReadUInt32(r, at);
            OldestUndelivered = LittleEndian.ReadUInt32(r, at + 4);
            _backoff.Restore(r[at + 8] & 0x3F, LittleEndian.ReadUInt32(r, at + 9));
            _early = (r[at + 8] & 0x80) != 0;
            _radioRestart = (r[at + 8] & 0x40) != 0;
            uint id = LittleEndian.ReadUInt32(r, at + 13);
            if (id > NextSampleId)
            {
                NextSampleId = id;
            }
        }
    }
}
