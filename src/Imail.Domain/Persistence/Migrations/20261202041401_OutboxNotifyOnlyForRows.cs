using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <summary>
    /// The outbox's NOTIFY only for a statement that inserted rows: a set-based INSERT … SELECT that selected
    /// nobody (a webhook fan-out with no endpoint, an announcement batch past the last user) no longer wakes a relay loop.
    /// </summary>
    public partial class OutboxNotifyOnlyForRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE FUNCTION outbox_notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF EXISTS (SELECT 1 FROM inserted) THEN
                    PERFORM pg_notify('{Imail.Domain.Outbox.OutboxChannel.Name}', '');
                  END IF;
                  RETURN NULL;
                END $$;
                DROP TRIGGER outbox_messages_inserted ON outbox_messages;
                CREATE TRIGGER outbox_messages_inserted AFTER INSERT ON outbox_messages
                  REFERENCING NEW TABLE AS inserted
                  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify_inserted();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER outbox_messages_inserted ON outbox_messages;
                CREATE TRIGGER outbox_messages_inserted AFTER INSERT ON outbox_messages
                  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
                DROP FUNCTION outbox_notify_inserted();
                """);
        }
    }
}
