using CityNode.Storage;
using CityNode.Util;

namespace CityNode.Node
{
    /// <summary>
    /// What a deep sleep keeps of the runtime's RAM, saved in the staging log before it: the schedule,
    /// a refused configuration still to report, the diagnostics window (each batch must account for
    /// all of the node's time), the batches sent and waiting for the backend's acknowledgement, and the
    /// length of the sleep being started, then the early thresholds' last values (as many as the config
    /// has). Version 5 (4 had no early values and 8 bits of failures); a record of another version or
    /// shorter than <see cref="Size"/> is ignored at boot (the node then starts a fresh schedule).
    /// </summary>
    public sealed class RuntimeRecord
    {
        public const int Version = 5;
        private const int ScheduleAt = 1;
        private const int SessionAt = ScheduleAt + NodeSchedule.RecordBytes;
        private const int PhasesAt = SessionAt + DeliverySession.RecordBytes;
        private const int SleepAt = PhasesAt + PhaseAccount.RecordBytes;

        /// <summary>The record's fixed part; the early values follow it.</summary>
        public const int Size = SleepAt + 4;

        /// <summary>The largest record (every early threshold with a value): it must fit the staging log's runtime slot (checked at construction).</summary>
        public const int MaxSize = Size + NodeSchedule.MaxEarlyBytes;

        private readonly byte[] _r = new byte[SampleStaging.MaxRuntimeBytes];

        public RuntimeRecord()
        {
            if (MaxSize > SampleStaging.MaxRuntimeBytes)
            {
                // Fails every test and every boot at once: a record that does not fit would silently never be saved.
                throw new System.InvalidOperationException("runtime record of up to " + MaxSize.ToString() + " B exceeds SampleStaging.MaxRuntimeBytes");
            }
        }

        /// <summary>Saves the parts to the staging log; false when the log could not take it (the wake then starts a fresh schedule).</summary>
        public bool Save(SampleStaging staging, NodeSchedule schedule, DeliverySession session, PhaseAccount phases, int sleepMs)
        {
            _r[0] = Version;
            schedule.Write(_r, ScheduleAt);
            session.Write(_r, SessionAt);
            phases.Write(_r, PhasesAt);
            LittleEndian.WriteUInt32(_r, SleepAt, (uint)sleepMs);
            int early = schedule.WriteEarly(_r, Size);
            return staging.SaveRuntime(_r, Size + early);
        }

        /// <summary>Restores the parts from the staging log: the sleep that ended (ms), or -1 when there was no record of this version.</summary>
        public long Restore(SampleStaging staging, NodeSchedule schedule, DeliverySession session, PhaseAccount phases)
        {
            int length = staging.ReadRuntime(_r);
            if (length < Size || _r[0] != Version)
            {
                return -1;
            }

            schedule.Read(_r, ScheduleAt);
            schedule.ReadEarly(_r, Size, length - Size);
            session.Read(_r, SessionAt);
            phases.Restore(_r, PhasesAt);
            return LittleEndian.ReadUInt32(_r, SleepAt);
        }
    }
}
