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

        private readonly Backoff _backoff;
        private readonly SampleFrame _previous;
        private bool _havePrevious;
        private bool _early;

        public NodeSchedule(uint nodeId, int channels)
        {
            _backoff = new Backoff(30, 3600, nodeId);
            _previous = new SampleFrame(channels);
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

            if (_havePrevious)
            {
                for (int i = 0; i < config.EarlyThresholdCount; i++)
                {
                    long v;
                    long before;
                    if (frame.TryGetMicro(config.EarlyChannel(i), out v) && _previous.TryGetMicro(config.EarlyChannel(i), out before) && IntMath.Abs(v - before) >= config.EarlyMicro(i))
                    {
                        _early = true;
                    }
                }
            }

            _previous.CopyFrom(frame);
            _havePrevious = true;
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
        /// light sleep.
        /// </summary>
        public void ChooseSleep(CycleOutcome o, long nowMs, int pendingBatches, NodeConfig config, PowerProfile power, INodePlatform platform)
        {
            long wakeAt = NextSampleAt;
            if (pendingBatches > 0 && _backoff.NotBefore * 1000 > nowMs && _backoff.NotBefore < wakeAt)
            {
                wakeAt = _backoff.NotBefore;
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

            o.ConnectAtWake = WillPublishAt(wakeAt, pendingBatches, config);
            if (o.ConnectAtWake && !platform.RadioReady && !pinnedLight)
            {
                o.Sleep = SleepKind.Deep;
            }
        }

        /// <summary>ShouldPublish as it will stand after the sample of the wake at <paramref name="wakeAt"/> (a jump in the readings aside).</summary>
        private bool WillPublishAt(long wakeAt, int pendingBatches, NodeConfig config)
        {
            if (!_backoff.Allows(wakeAt))
            {
                return false;
            }

            long oldest = OldestUndelivered != 0 ? OldestUndelivered : wakeAt;
            return _backoff.Failures > 0 || pendingBatches > 0 || (wakeAt + config.SampleSeconds) - oldest > config.PublishSeconds;
        }

        public void Write(byte[] r, int at)
        {
            LittleEndian.WriteUInt32(r, at, (uint)NextSampleAt);
            LittleEndian.WriteUInt32(r, at + 4, (uint)OldestUndelivered);
            r[at + 8] = (byte)(_backoff.Failures > 255 ? 255 : _backoff.Failures);
            LittleEndian.WriteUInt32(r, at + 9, (uint)_backoff.NotBefore);
            LittleEndian.WriteUInt32(r, at + 13, NextSampleId);
        }

        public void Read(byte[] r, int at)
        {
            NextSampleAt = LittleEndian.ReadUInt32(r, at);
            OldestUndelivered = LittleEndian.ReadUInt32(r, at + 4);
            _backoff.Restore(r[at + 8], LittleEndian.ReadUInt32(r, at + 9));
            uint id = LittleEndian.ReadUInt32(r, at + 13);
            if (id > NextSampleId)
            {
                NextSampleId = id;
            }
        }
    }
}
