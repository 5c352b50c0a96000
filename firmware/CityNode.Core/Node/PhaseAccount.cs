using CityNode.Power;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// Where the node's time goes, by phase (boot, active, waiting, radio, light and deep sleep): since
    /// the last sealed batch — the window each batch's diagnostics report, so that the batches together
    /// account for all of the node's time — and since boot. The window survives a deep sleep in the
    /// runtime record (<see cref="Write"/>, <see cref="Restore"/>).
    /// </summary>
    public sealed class PhaseAccount
    {
        public const int Boot = 0;
        public const int Active = 1;
        public const int Wait = 2;
        public const int Radio = 3;
        public const int Light = 4;
        public const int Deep = 5;

        /// <summary>Bytes <see cref="Write"/> takes: the window's six phases, connect and publish time, cycles.</summary>
        public const int RecordBytes = 9 * 4;

        public PhaseAccount()
        {
            Window = new PhaseTimes();
            Total = new PhaseTimes();
        }

        /// <summary>Since the last sealed batch.</summary>
        public PhaseTimes Window { get; private set; }

        /// <summary>Since boot.</summary>
        public PhaseTimes Total { get; private set; }

        /// <summary>Radio time spent connecting, in the window.</summary>
        public long ConnectMs { get; private set; }

        /// <summary>Radio time spent in publish sessions, in the window.</summary>
        public long PublishMs { get; private set; }

        /// <summary>Wakes in the window.</summary>
        public long Cycles { get; private set; }

        public void Add(int phase, long ms)
        {
            Add(Window, phase, ms);
            Add(Total, phase, ms);
        }

        public void Connecting(long ms)
        {
            ConnectMs += ms;
            Add(Radio, ms);
        }

        public void Publishing(long ms)
        {
            PublishMs += ms;
            Add(Radio, ms);
        }

        public void Cycle()
        {
            Cycles++;
        }

        public void Sampled(int readings)
        {
            Window.Samples++;
            Total.Samples++;
            Window.Readings += readings;
            Total.Readings += readings;
        }

        /// <summary>A batch carried the window's figures: a new window starts.</summary>
        public void NewWindow()
        {
            Window.Clear();
            ConnectMs = 0;
            PublishMs = 0;
            Cycles = 0;
        }

        public void Write(byte[] r, int at)
        {
            LittleEndian.WriteUInt32(r, at, (uint)Window.BootMs);
            LittleEndian.WriteUInt32(r, at + 4, (uint)Window.ActiveMs);
            LittleEndian.WriteUInt32(r, at + 8, (uint)Window.WaitMs);
            LittleEndian.WriteUInt32(r, at + 12, (uint)Window.RadioMs);
            LittleEndian.WriteUInt32(r, at + 16, (uint)Window.LightSleepMs);
            LittleEndian.WriteUInt32(r, at + 20, (uint)Window.DeepSleepMs);
            LittleEndian.WriteUInt32(r, at + 24, (uint)ConnectMs);
            LittleEndian.WriteUInt32(r, at + 28, (uint)PublishMs);
            LittleEndian.WriteUInt32(r, at + 32, (uint)Cycles);
        }

        /// <summary>Adds a window saved before a deep sleep to this boot's (the boot itself is already in it).</summary>
        public void Restore(byte[] r, int at)
        {
            Window.BootMs += LittleEndian.ReadUInt32(r, at);
            Window.ActiveMs += LittleEndian.ReadUInt32(r, at + 4);
            Window.WaitMs += LittleEndian.ReadUInt32(r, at + 8);
            Window.RadioMs += LittleEndian.ReadUInt32(r, at + 12);
            Window.LightSleepMs += LittleEndian.ReadUInt32(r, at + 16);
            Window.DeepSleepMs += LittleEndian.ReadUInt32(r, at + 20);
            ConnectMs += LittleEndian.ReadUInt32(r, at + 24);
            PublishMs += LittleEndian.ReadUInt32(r, at + 28);
            Cycles += LittleEndian.ReadUInt32(r, at + 32);
        }

        private static void Add(PhaseTimes t, int phase, long ms)
        {
            switch (phase)
            {
                case Boot: t.BootMs += ms; break;
                case Active: t.ActiveMs += ms; break;
                case Wait: t.WaitMs += ms; break;
                case Radio: t.RadioMs += ms; break;
                case Light: t.LightSleepMs += ms; break;
                default: t.DeepSleepMs += ms; break;
            }
        }
    }
}
