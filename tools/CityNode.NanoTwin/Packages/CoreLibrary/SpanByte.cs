namespace System;

/// <summary>
/// nanoFramework's SpanByte (CoreLibrary 1.x has no generics, so no Span&lt;T&gt;): a window on a byte
/// array. The native side of the twins reads <see cref="Array"/>/<see cref="Start"/> as nanoCLR reads the
/// fields _array/_start/_length (e.g. sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp).
/// </summary>
// upstream: nanoframework/CoreLibrary (tag v1.17.11) nanoFramework.CoreLibrary/System/SpanByte.cs; native: none (managed type).
internal readonly ref struct SpanByte
{
    private readonly byte[]? _array;
    private readonly int _start;
    private readonly int _length;

    // upstream: SpanByte.cs SpanByte(byte[]): a null array is an empty span.
    public SpanByte(byte[]? array)
    {
        _array = array;
        _start = 0;
        _length = array?.Length ?? 0;
    }

    // upstream: SpanByte.cs SpanByte(byte[], int, int): ArgumentOutOfRangeException outside the array; null only as (null, 0, 0).
    public SpanByte(byte[]? array, int start, int length)
    {
        if (array is null ? start != 0 || length != 0 : start < 0 || length < 0 || start + length > array.Length || start > array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start));
        }

        _array = array;
        _start = start;
        _length = length;
    }

    // upstream: SpanByte.cs Empty (a default span).
    public static SpanByte Empty => default;

    // upstream: SpanByte.cs indexer: only index >= Length is checked; a negative index falls to the array's own check.
    public byte this[int index]
    {
        get => index >= _length ? throw new ArgumentOutOfRangeException(nameof(index)) : _array![_start + index];
        set
        {
            if (index >= _length)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            _array![_start + index] = value;
        }
    }

    // upstream: SpanByte.cs Length / IsEmpty.
    public int Length => _length;

    public bool IsEmpty => _length == 0;

    /// <summary>The array under the span (null for an empty default span): what native code sees.</summary>
    internal byte[]? Array => _array;

    internal int Start => _start;

    // upstream: SpanByte.cs CopyTo: ArgumentException when the destination is shorter.
    public void CopyTo(SpanByte destination)
    {
        if (destination.Length < _length)
        {
            throw new ArgumentException("destination too short", nameof(destination));
        }

        for (int i = 0; i < _length; i++)
        {
            destination[i] = _array![_start + i];
        }
    }

    // upstream: SpanByte.cs Slice(int) / Slice(int, int).
    public SpanByte Slice(int start) => Slice(start, _length - start);

    public SpanByte Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + length > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(start));
        }

        return new SpanByte(_array, _start + start, length);
    }

    // upstream: SpanByte.cs ToArray (a copy).
    public byte[] ToArray()
    {
        var copy = new byte[_length];
        for (int i = 0; i < _length; i++)
        {
            copy[i] = _array![_start + i];
        }

        return copy;
    }

    // upstream: SpanByte.cs implicit operator SpanByte(byte[]).
    public static implicit operator SpanByte(byte[]? array) => new(array);
}
