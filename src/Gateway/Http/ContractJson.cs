using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stratum.Gateway.Http;

/// <summary>
/// The contract's JSON: camelCase, enums as their contract names (READY, userAccount), int64 as
/// decimal strings (accepted as string or number), timestamps RFC 3339 UTC, unknown fields refused,
/// fields without a default required.
/// Field names are matched exactly and may appear once: <c>FolderId</c> is not <c>folderId</c>, and a
/// body naming a field twice is refused rather than read as its last value (what a proxy checked
/// and what the service acts on could otherwise differ).
/// </summary>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.PropertyNameCaseInsensitive = false;
        options.AllowDuplicateProperties = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        // A field a body's type takes without a default must be given: left out, a number was read as 0
        // (a quota entry without "limit" set the limit to 0; a disk without "size" was "size 0").
        options.RespectRequiredConstructorParameters = true;
        options.Converters.Add(new ErrorCodeConverter());
        options.Converters.Add(new NamedEnumConverter<SubjectType>(Subject.TypeName));
        options.Converters.Add(new ContractEnumConverterFactory());
        options.Converters.Add(new Int64AsStringConverter());
        options.Converters.Add(new UtcTimestampConverter());
        return options;
    }

    private sealed class ContractEnumConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)typeof(ContractEnumConverterFactory).GetMethod(nameof(Create), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(typeToConvert).Invoke(null, null)!;

        private static JsonConverter Create<T>() where T : struct, Enum => new NamedEnumConverter<T>(ContractNames.Of);
    }

    /// <summary>An enum written by name and read only from those names; anything else is an error naming the choices.</summary>
    private sealed class NamedEnumConverter<T>(Func<T, string> name) : JsonConverter<T> where T : struct, Enum
    {
        private readonly Dictionary<string, T> _byName = Enum.GetValues<T>().ToDictionary(name, StringComparer.Ordinal);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && _byName.TryGetValue(reader.GetString()!, out var value)
                ? value
                : throw new JsonException($"must be one of {string.Join(", ", _byName.Keys)}");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(name(value));
    }

    /// <summary>Error codes are numbers in the contract's error shape.</summary>
    private sealed class ErrorCodeConverter : JsonConverter<ErrorCode>
    {
        public override ErrorCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (ErrorCode)reader.GetInt32();

        public override void Write(Utf8JsonWriter writer, ErrorCode value, JsonSerializerOptions options) => writer.WriteNumberValue((int)value);
    }

    private sealed class Int64AsStringConverter : JsonConverter<long>
    {
        public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
            {
                return number;
            }
            // A sign is read as the number it writes ("-1" as -1), so the rule of the field says what is
            // wrong with it ("out of range"), not this converter ("not an integer").
            if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
            throw new JsonException("must be an integer, as a number or a decimal string");
        }

        public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    private sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && reader.GetString() is { } text && text.Contains('T', StringComparison.Ordinal)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at.ToUniversalTime()
                : throw new JsonException("must be an RFC 3339 timestamp such as \"2030-01-31T12:00:00Z\"");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(ContractNames.Time(value));
    }
}
