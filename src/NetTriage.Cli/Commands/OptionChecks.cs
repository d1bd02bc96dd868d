using System.CommandLine;
using System.CommandLine.Parsing;

namespace NetTriage.Cli.Commands;

/// <summary>
/// Checks on option values and arguments that end in a usage error (one line, exit 2), never in an exception.
/// </summary>
internal static class OptionChecks
{
    /// <summary>
    /// Adds a check of the option's value, run only when the value was read: a value the parser could not convert
    /// ("abc" for a number) is already its own error, and asking for it in a validator throws.
    /// </summary>
    public static void Check<T>(this Option<T> option, Func<T, string?> check)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // the parser reports the value it could not convert
            }
            if (check(value) is { } error) result.AddError(error);
        });
    }

    /// <summary>
    /// Input names that look like options are unknown options, not files: the parser hands an unknown "--bogus" to
    /// the inputs. A file whose name starts with '-' is given as ./-name; '-' alone is standard input.
    /// </summary>
    public static void RejectOptionLike(this Argument<string[]> inputs) =>
        inputs.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    result.AddError($"unknown option {token.Value} (a file whose name starts with '-' is given as ./{token.Value})");
                    return;
                }
            }
        });

    /// <inheritdoc cref="RejectOptionLike(Argument{string[]})"/>
    public static void RejectOptionLike(this Argument<string> argument) =>
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    result.AddError($"unknown option {token.Value}");
                    return;
                }
            }
        });
}
