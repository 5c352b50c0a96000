namespace CityNode.Telemetry
{
    /// <summary>
    /// The diagnostics block a node attaches to each batch: a presence bitmap and one varint per
    /// present field (zigzag for signed fields), then an optional short ASCII text (the reason of the
    /// last refused configuration). Counters are cumulative since the journal was formatted, so a lost
    /// batch loses no count; the awake/asleep times cover the window since the previous batch, so
    /// the energy model can be calibrated from any one batch.
    /// </summary>
    public sealed class NodeDiagnostics
    {
        public const int BatteryMillivolts = 0;
        public const int RssiDbm = 1;
        public const int ResetCause = 2;
        public const int WakeupCause = 3;
        public const int BootMs = 4;
        public const int SampleMs = 5;
        public const int ConnectMs = 6;
        public const int PublishMs = 7;
        public const int LightSleepMs = 8;
        public const int DeepSleepMs = 9;
        public const int SensorFaults = 10;
        public const int PublishRetries = 11;
        public const int DroppedReadings = 12;
        public const int JournalRecoveries = 13;
        public const int FreeHeapBytes = 14;
        public const int ConfigVersion = 15;
        public const int ConfigRejectedVersion = 16;
        public const int QuarantinedBatches = 17;
        public const int SafeModeBoots = 18;
        public const int UptimeSeconds = 19;
        public const int Cycles = 20;
        public const int DroppedBatches = 21;

        /// <summary>Readings sealed into batches since the journal was formatted, this batch included: lets a receiver count what never arrived.</summary>
        public const int ProducedReadings = 22;

        /// <summary>Part of sample_ms spent waiting for sensors (warm-up, conversions; CPU in light sleep).</summary>
        public const int WaitMs = 23;

        /// <summary>End-to-end acknowledgement (delivery.ack = backend): the highest sequence the backend acknowledged and the node released.</summary>
        public const int AckedSequence = 24;

        /// <summary>End-to-end acknowledgement: batches sent again because the backend had not acknowledged them in time.</summary>
        public const int ResentBatches = 25;

        /// <summary>Over-the-air updates (docs/ota.md): the running release's version, packed 8.12.12 (<see cref="CityNode.Ota.OtaVersion"/>; 0 = the cable image).</summary>
        public const int OtaVersion = 26;

        /// <summary>The slot the loader runs (0 or 1).</summary>
        public const int OtaSlot = 27;

        /// <summary>The update's state (<see cref="CityNode.Ota.OtaState"/>: 0 idle … 5 rolled back).</summary>
        public const int OtaState = 28;

        /// <summary>Bytes of the release being downloaded that are in the slot.</summary>
        public const int OtaReceived = 29;

        /// <summary>The last update failure (<see cref="CityNode.Ota.OtaFailure"/>) × 65536 + its detail (field, chunk, file or counter, 0..65535).</summary>
        public const int OtaFailure = 30;
        public const int FieldCount = 31;

        /// <summary>Presence bit of the trailing text.</summary>
        private const int TextBit = 31;
        public const int MaxTextLength = 48;

        private static readonly string[] FieldNames = new string[]
        {
            "battery_mv", "rssi_dbm", "reset_cause", "wakeup_cause", "boot_ms", "sample_ms", "connect_ms",
            "publish_ms", "light_sleep_ms", "deep_sleep_ms", "sensor_faults", "publish_retries", "dropped_readings",
            "journal_recoveries", "free_heap", "config_version", "config_rejected_version", "quarantined_batches",
            "safe_mode_boots", "uptime_s", "cycles", "dropped_batches", "produced_readings", "wait_ms",
            "acked_seq", "resent_batches", "ota_version", "ota_slot", "ota_state", "ota_received", "ota_failure",
        };

        private readonly long[] _values = new long[FieldCount];
        private readonly char[] _text = new char[MaxTextLength];
        private int _textLength;
        private uint _present;

        public static string FieldName(int field)
        {
            return FieldNames[field];
        }

        public static bool IsSigned(int field)
        {
            return field == RssiDbm;
        }

        public void Clear()
        {
            _present = 0;
            _textLength = 0;
        }

        public bool Has(int field)
        {
            return (_present & (1u << field)) != 0;
        }

        public long Get(int field)
        {
            return _values[field];
        }

        public void Set(int field, long value)
        {
            _values[field] = value;
            _present |= 1u << field;
        }

        public void Remove(int field)
        {
            _present &= ~(1u << field);
        }

        public bool IsEmpty { get { return _present == 0; } }

        /// <summary>The reason text, or null.</summary>
        public string Text
        {
            get { return (_present & (1u << TextBit)) != 0 ? new string(_text, 0, _textLength) : null; }
        }

        /// <summary>Sets the reason text, cut to printable ASCII and <see cref="MaxTextLength"/> characters.</summary>
        public void SetText(string text)
        {
            if (text == null)
            {
                _present &= ~(1u << TextBit);
                _textLength = 0;
                return;
            }

            int n = 0;
            for (int i = 0; i < text.Length && n < MaxTextLength; i++)
            {
                char ch = text[i];
                _text[n++] = ch >= ' ' && ch <= '~' ? ch : '?';
            }

            _textLength = n;
            _present |= 1u << TextBit;
        }

        public void CopyFrom(NodeDiagnostics other)
        {
            _present = other._present;
            for (int i = 0; i < FieldCount; i++)
            {
                _values[i] = other._values[i];
            }

            for (int i = 0; i < other._textLength; i++)
            {
                _text[i] = other._text[i];
            }

            _textLength = other._textLength;
        }

        /// <summary>Largest field value: JSON numbers are exact up to 2^53 − 1 (RFC 7493 §2.2), so every decoder reads the same number.</summary>
        public const long MaxValue = (1L << 53) - 1;

        /// <summary>Bits 0..30 are varint fields (all defined now), 31 the text; fields of later versions use bits 32..63 (any form, after the text).</summary>
        private const int VarintBits = 31;

        /// <summary>
        /// Writes the block: its length (varint), the presence bitmap, one varint per present field in
        /// bit order, then the text. The length lets a version-1 decoder skip what later versions append.
        /// </summary>
        public void Write(ByteWriter w)
        {
            int size = ByteWriter.VarintSize(_present);
            for (int f = 0; f < FieldCount; f++)
            {
                if (Has(f))
                {
                    size += ByteWriter.VarintSize(Wire(f));
                }
            }

            bool hasText = (_present & (1u << TextBit)) != 0;
            if (hasText)
            {
                size += 1 + _textLength;
            }

            w.WriteVarint((ulong)size);
            w.WriteVarint(_present);
            for (int f = 0; f < FieldCount; f++)
            {
                if (Has(f))
                {
                    w.WriteVarint(Wire(f));
                }
            }

            if (hasText)
            {
                w.WriteByte(_textLength);
                for (int i = 0; i < _textLength; i++)
                {
                    w.WriteByte(_text[i]);
                }
            }
        }

        /// <summary>A field's varint: clamped to what a decoder accepts (±2^52 for the zigzag-coded RSSI, 0..2^53 − 1 otherwise).</summary>
        private ulong Wire(int f)
        {
            long v = _values[f];
            if (IsSigned(f))
            {
                return Util.IntMath.ZigZag(Util.IntMath.Clamp(v, -(MaxValue + 1) / 2, MaxValue / 2));
            }

            return (ulong)Util.IntMath.Clamp(v, 0, MaxValue);
        }

        /// <summary>Reads a block written by <see cref="Write"/>; fields this version does not know are skipped (docs/payload.md, Diagnostics block).</summary>
        public void Read(ByteReader r)
        {
            Clear();
            int lengthAt = r.Position;
            ulong length = r.ReadVarint("diagnostics length");
            if (length > (ulong)r.Remaining)
            {
                throw new PayloadException(lengthAt, "truncated: diagnostics length " + length.ToString() + ", " + r.Remaining.ToString() + " bytes left");
            }

            // Read inside the block only: a field running past its end is refused, whatever follows.
            int outerEnd = r.End;
            int blockEnd = r.Position + (int)length;
            r.Reset(r.Data, r.Position, (int)length);
            ulong present = r.ReadVarint("diagnostics bitmap");
            for (int f = 0; f < VarintBits; f++)
            {
                if ((present & (1UL << f)) == 0)
                {
                    continue;
                }

                int at = r.Position;
                ulong v = r.ReadVarint(f < FieldCount ? FieldNames[f] : "diagnostics field");
                if (f >= FieldCount)
                {
                    continue; // a later version's field: skipped
                }

                if (v > (ulong)MaxValue)
                {
                    throw new PayloadException(at, FieldNames[f] + " " + v.ToString() + " above 2^53-1");
                }

                Set(f, IsSigned(f) ? Util.IntMath.UnZigZag(v) : (long)v);
            }

            if ((present & (1UL << TextBit)) != 0)
            {
                int at = r.Position;
                int n = r.ReadByte("diagnostics text length");
                if (n > MaxTextLength)
                {
                    throw new PayloadException(at, "diagnostics text longer than " + MaxTextLength.ToString());
                }

                for (int i = 0; i < n; i++)
                {
                    int ch = r.ReadByte("diagnostics text");
                    if (ch < ' ' || ch > '~')
                    {
                        throw new PayloadException(r.Position - 1, "diagnostics text not printable ASCII");
                    }

                    _text[i] = (char)ch;
                }

                _textLength = n;
                _present |= 1u << TextBit;
            }

            // Bits 32..63 and anything else up to the block's end belong to later versions.
            r.Reset(r.Data, blockEnd, outerEnd - blockEnd);
        }
    }
}
