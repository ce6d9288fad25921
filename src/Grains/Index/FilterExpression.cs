using System.Text;

namespace Stratum.Index;

/// <summary>
/// The contract's list filter, <c>field op value</c> joined by AND with ops <c>=</c>, <c>!=</c>,
/// <c>IN (...)</c>, <c>NOT IN (...)</c>, parsed and turned into an Azure Table (OData) filter so
/// that the table does the filtering and paging.
/// </summary>
public static class FilterExpression
{
    /// <summary>A filterable field: its name in the filter, its table column, whether it is a boolean, and an enum's values.</summary>
    /// <param name="Name">The field's name in the contract's filter.</param>
    /// <param name="Column">The table column it reads.</param>
    /// <param name="IsBoolean">Takes true or false, unquoted.</param>
    /// <param name="Values">The values an enum field can hold (its contract names); null for free text. Another value is
    /// refused: <c>status = 'NOPE'</c> answered an empty list, as if nothing had that status.</param>
    public sealed record Field(string Name, string Column, bool IsBoolean = false, IReadOnlyList<string>? Values = null)
    {
        /// <summary>A field whose values are an enum's contract names.</summary>
        public static Field Of<T>(string name, string column) where T : struct, Enum =>
            new(name, column, Values: Enum.GetValues<T>().Select(v => ContractNames.Of(v)).ToList());
    }

    public static string? ToOData(string? filter, IReadOnlyList<Field> fields)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }
        if (filter.Length > 2048)
        {
            throw StratumException.Invalid("filter is longer than 2048 characters.");
        }
        var tokens = Tokenize(filter);
        var clauses = new List<string>();
        var position = 0;
        while (true)
        {
            clauses.Add(ParseClause(tokens, ref position, fields));
            if (position == tokens.Count)
            {
                break;
            }
            if (!tokens[position].Is("AND"))
            {
                throw Error($"expected AND before '{EchoedText.Shorten(tokens[position].Text)}'");
            }
            position++;
        }
        return string.Join(" and ", clauses.Select(c => $"({c})"));
    }

    private static string ParseClause(List<Token> tokens, ref int position, IReadOnlyList<Field> fields)
    {
        var name = Next(tokens, ref position, "a field name");
        var field = fields.FirstOrDefault(f => f.Name == name.Text && !name.Quoted)
            ?? throw Error($"unknown field '{EchoedText.Shorten(name.Text)}'; filterable fields are {string.Join(", ", fields.Select(f => f.Name))}");
        var op = Next(tokens, ref position, "an operator");
        if (op.Text is "=" or "!=")
        {
            var value = Literal(Next(tokens, ref position, "a value"), field);
            return $"{field.Column} {(op.Text == "=" ? "eq" : "ne")} {value}";
        }
        var negate = op.Is("NOT");
        if (negate)
        {
            op = Next(tokens, ref position, "IN");
        }
        if (!op.Is("IN"))
        {
            throw Error($"unknown operator '{EchoedText.Shorten(op.Text)}'; use =, !=, IN (...) or NOT IN (...)");
        }
        if (!Next(tokens, ref position, "(").Is("("))
        {
            throw Error("IN must be followed by a parenthesized list");
        }
        var values = new List<string>();
        while (true)
        {
            values.Add(Literal(Next(tokens, ref position, "a value"), field));
            var separator = Next(tokens, ref position, ", or )");
            if (separator.Is(")"))
            {
                break;
            }
            if (!separator.Is(","))
            {
                throw Error($"expected , or ) in the IN list, not '{EchoedText.Shorten(separator.Text)}'");
            }
        }
        return negate
            ? string.Join(" and ", values.Select(v => $"{field.Column} ne {v}"))
            : string.Join(" or ", values.Select(v => $"{field.Column} eq {v}"));
    }

    private static string Literal(Token token, Field field)
    {
        if (field.IsBoolean)
        {
            return token.Text switch
            {
                "true" => "true",
                "false" => "false",
                _ => throw Error($"{field.Name} takes true or false, not '{EchoedText.Shorten(token.Text)}'"),
            };
        }
        if (!token.Quoted && token.Text is "(" or ")" or ",")
        {
            throw Error($"expected a value for {field.Name}, not '{EchoedText.Shorten(token.Text)}'");
        }
        if (field.Values is { } values && !values.Contains(token.Text))
        {
            throw Error($"{field.Name} is one of {string.Join(", ", values)}, not '{EchoedText.Shorten(token.Text)}'");
        }
        return "'" + token.Text.Replace("'", "''") + "'";
    }

    private static Token Next(List<Token> tokens, ref int position, string expected) =>
        position < tokens.Count ? tokens[position++] : throw Error($"expected {expected} at the end");

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw Error("a quoted value is not closed");
                }
                tokens.Add(new Token(text[(i + 1)..end], Quoted: true));
                i = end + 1;
            }
            else if (c is '(' or ')' or ',' or '=')
            {
                tokens.Add(new Token(c.ToString(), false));
                i++;
            }
            else if (c == '!' && i + 1 < text.Length && text[i + 1] == '=')
            {
                tokens.Add(new Token("!=", false));
                i += 2;
            }
            else
            {
                var word = new StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '=' or '!' or '\'' or '"'))
                {
                    word.Append(text[i++]);
                }
                if (word.Length == 0)
                {
                    throw Error($"unexpected character '{text[i]}'");
                }
                tokens.Add(new Token(word.ToString(), false));
            }
        }
        return tokens;
    }

    private static StratumException Error(string why) => StratumException.Invalid($"filter is invalid: {why}.");

    private sealed record Token(string Text, bool Quoted)
    {
        public bool Is(string keyword) => !Quoted && string.Equals(Text, keyword, StringComparison.Ordinal);
    }
}
