namespace CityNode.Ota
{
    /// <summary>
    /// An <see cref="IHash256"/> over a one-shot HMAC-SHA256 primitive: nanoFramework's native
    /// System.Security.Cryptography.HMACSHA256.HashData(key, source) (mbedTLS on the ESP32;
    /// nf-interpreter src/nanoFramework.System.Security.Cryptography) takes the whole message in one
    /// array, so this collects up to <see cref="OtaManifest.MaxLength"/> bytes — a manifest, the only
    /// message the updater MACs — and hands them over at <see cref="Final"/>. The device glue
    /// subclasses it with the native call where the firmware image has that assembly;
    /// <see cref="HmacSha256"/> is the managed twin and the fallback.
    /// </summary>
    public abstract class OneShotHmac : IHash256
    {
        private readonly byte[] _buffer = new byte[OtaManifest.MaxLength];
        private int _length;
        private bool _overflow;

        public void Reset()
        {
            _length = 0;
            _overflow = false;
        }

        public void Update(byte[] data, int offset, int count)
        {
            if (_length + count > _buffer.Length)
            {
                _overflow = true; // Final then yields a digest no manifest can match
                return;
            }

            System.Array.Copy(data, offset, _buffer, _length, count);
            _length += count;
        }

        public void Final(byte[] into, int offset)
        {
            if (_overflow)
            {
                System.Array.Clear(into, offset, 32);
                return;
            }

            byte[] message = new byte[_length]; // the native call hashes a whole array; once per manifest
            System.Array.Copy(_buffer, message, _length);
            byte[] mac = Compute(message);
            System.Array.Copy(mac, 0, into, offset, 32);
        }

        /// <summary>HMAC-SHA256 of the whole <paramref name="message"/> under the node's key (32 bytes).</summary>
        protected abstract byte[] Compute(byte[] message);
    }

    /// <summary>A one-shot HMAC-SHA256 function: the MAC of the whole message under the key (nanoFramework's HMACSHA256.HashData).</summary>
    public delegate byte[] HmacFunction(byte[] key, byte[] message);

    /// <summary>A <see cref="OneShotHmac"/> over a one-shot function and the node's key: the device glue passes the native HMACSHA256.HashData.</summary>
    public sealed class KeyedHmac : OneShotHmac
    {
        private readonly byte[] _key;
        private readonly HmacFunction _function;

        public KeyedHmac(byte[] key, HmacFunction function)
        {
            _key = key;
            _function = function;
        }

        protected override byte[] Compute(byte[] message)
        {
            return _function(_key, message);
        }
    }
}
