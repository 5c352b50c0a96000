using System;
using CityNode.Sensors;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Buffering
{
    /// <summary>
    /// RAM ring of the samples not yet sealed into a batch: fixed capacity, preallocated, no
    /// allocation per sample, and compact. The oldest sample is kept decoded (the tail state); each
    /// later sample is a record of nibbles relative to the one before it:
    /// <code>
    ///   header nibble   bit0 interval changed, bit1 statuses follow, bit2 sample ids skip
    ///   [zigzag(dt − previous dt)]              nibble varint, if bit0
    ///   [ids skipped]                           nibble varint, if bit2 (a sample lost to a power cut)
    ///   [2 status bits per channel]             if bit1
    ///   zigzag(value − last valid value)        nibble varint per channel with a value
    /// </code>
    /// A nibble varint carries 3 bits per nibble, so an unchanged value costs half a byte and a
    /// change of up to ±31 steps one byte. Slow environmental channels average about one byte per
    /// reading; an 8-channel node sampling every minute keeps 24 hours in 16 KB (see
    /// SampleRingTests). When full, the oldest samples are dropped and counted, never overwritten
    /// silently. Dropping the oldest decodes one record into the tail state: no index is kept.
    /// </summary>
    public sealed partial class SampleRing
    {
        private const int NibbleBits = 3;

        private readonly byte[] _buf;
        private readonly int _channels;
        private readonly RingState _tail;
        private readonly RingState _head;
        private readonly RingState _walk;
        private readonly byte[] _record;
        private int _start;
        private int _used;
        private int _count;

        // Nibble cursor over the record scratch (writing) or the ring (reading).
        private int _nibble;
        private int _readPos;
        private int _readNibble;

        public SampleRing(int capacityBytes, int channels)
        {
            if (channels < 1 || channels > PayloadFormat.MaxChannels)
            {
                throw new ArgumentOutOfRangeException("channels");
            }

            _channels = channels;
            _record = new byte[MaxRecordBytes(channels)];
            if (capacityBytes < _record.Length)
            {
                throw new ArgumentOutOfRangeException("capacityBytes", "less than one record (" + _record.Length.ToString() + " bytes)");
            }

            _buf = new byte[capacityBytes];
            _tail = new RingState(channels);
            _head = new RingState(channels);
            _walk = new RingState(channels);
        }

        /// <summary>Largest record: header, a 64-bit interval change, a 32-bit id skip and a 33-bit delta per channel.</summary>
        public static int MaxRecordBytes(int channels)
        {
            int nibbles = 1 + 22 + 11 + ((channels + 1) / 2) + (channels * 12);
            return (nibbles + 1) / 2;
        }

        public int Capacity { get { return _buf.Length; } }

        public int ChannelCount { get { return _channels; } }

        /// <summary>Samples held.</summary>
        public int Count { get { return _count; } }

        /// <summary>Bytes used by the records (the tail sample lives outside the ring).</summary>
        public int BytesUsed { get { return _used; } }

        /// <summary>Samples dropped because the ring was full.</summary>
        public long DroppedSamples { get; private set; }

        /// <summary>Readings (non-missing slots) in the dropped samples.</summary>
        public long DroppedReadings { get; private set; }

        /// <summary>Time of the oldest sample (valid when Count &gt; 0).</summary>
        public long OldestTime { get { return _tail.Time; } }

        /// <summary>Id of the oldest sample (valid when Count &gt; 0).</summary>
        public uint OldestId { get { return _tail.Id; } }

        /// <summary>Id of the newest sample (valid when Count &gt; 0).</summary>
        public uint NewestId { get { return _head.Id; } }

        public void Clear()
        {
            _start = 0;
            _used = 0;
            _count = 0;
        }

        /// <summary>Adds a sample numbered after the newest one.</summary>
        public void Append(SampleFrame frame)
        {
            Append(frame, _count == 0 ? 1 : _head.Id + 1);
        }

        /// <summary>Adds a sample with its id (ids only grow), dropping (and counting) the oldest ones if there is no room.</summary>
        public void Append(SampleFrame frame, uint id)
        {
            if (frame.ChannelCount != _channels)
            {
                throw new ArgumentException("frame has " + frame.ChannelCount.ToString() + " channels, ring " + _channels.ToString());
            }

            if (_count == 0)
            {
                _tail.Start(id, frame.Time, frame.Values, frame.Status);
                _head.CopyFrom(_tail);
                _count = 1;
                return;
            }

            if (id <= _head.Id)
            {
                throw new ArgumentException("sample id " + id.ToString() + " not after " + _head.Id.ToString());
            }

            int length = EncodeRecord(frame, id);
            while (_buf.Length - _used < length)
            {
                DropOldest();
            }

            if (_count == 0)
            {
                // Everything before was dropped: this sample becomes the tail.
                _tail.Start(id, frame.Time, frame.Values, frame.Status);
                _head.CopyFrom(_tail);
                _count = 1;
                return;
            }

            int at = _start + _used;
            for (int i = 0; i < length; i++)
            {
                _buf[(at + i) % _buf.Length] = _record[i];
            }

            _used += length;
            _count++;
            ApplyFrame(_head, frame);
            _head.Id = id;
        }

        /// <summary>Decodes up to <paramref name="max"/> of the oldest samples into the batch (which keeps its channel table). Returns how many.</summary>
        public int ReadOldest(int max, SampleBatch into)
        {
            uint lastId;
            return ReadOldest(max, into, out lastId);
        }

        /// <summary>As <see cref="ReadOldest(int, SampleBatch)"/>, and gives the id of the last sample read.</summary>
        public int ReadOldest(int max, SampleBatch into, out uint lastId)
        {
            lastId = 0;
            int n = _count < max ? _count : max;
            if (n > into.Capacity)
            {
                n = into.Capacity;
            }

            into.Count = n;
            if (n == 0)
            {
                return 0;
            }

            _walk.CopyFrom(_tail);
            _readPos = _start;
            for (int i = 0; i < n; i++)
            {
                if (i > 0)
                {
                    DecodeRecord(_walk);
                }

                into.Times[i] = _walk.Time;
                lastId = _walk.Id;
                for (int c = 0; c < _channels; c++)
                {
                    int at = into.Index(c, i);
                    into.Values[at] = _walk.Values[c];
                    into.Status[at] = _walk.Status[c];
                }
            }

            return n;
        }

        /// <summary>Removes the <paramref name="count"/> oldest samples (after they were sealed into a batch).</summary>
        public void RemoveOldest(int count)
        {
            for (int i = 0; i < count && _count > 0; i++)
            {
                Advance();
            }
        }

        private void DropOldest()
        {
            DroppedSamples++;
            DroppedReadings += _tail.ReadingCount();
            Advance();
        }

        private void Advance()
        {
            if (_count == 1)
            {
                _count = 0;
                _used = 0;
                _start = 0;
                return;
            }

            _readPos = _start;
            DecodeRecord(_tail);
            int consumed = _readPos - _start;
            _start = _readPos % _buf.Length;
            _used -= consumed;
            _count--;
        }

        private static void ApplyFrame(RingState s, SampleFrame f)
        {
            s.Dt = f.Time - s.Time;
            s.Time = f.Time;
            for (int c = 0; c < s.Values.Length; c++)
            {
                s.Status[c] = f.Status[c];
                s.Values[c] = f.Values[c];
                if (f.Status[c] == ReadingStatus.Ok)
                {
                    s.Last[c] = f.Values[c];
                    s.HasLast[c] = true;
                }
            }
        }
    }
}
