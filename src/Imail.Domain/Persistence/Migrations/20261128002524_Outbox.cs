using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Outbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    available_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    dead_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    leased_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    payload_purged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_delivered_at",
                table: "outbox_messages",
                column: "delivered_at",
                filter: "state = 'Delivered'");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_due",
                table: "outbox_messages",
                column: "available_at",
                filter: "state = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_state_id",
                table: "outbox_messages",
                columns: new[] { "state", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_user_id",
                table: "outbox_messages",
                column: "user_id",
                filter: "user_id IS NOT NULL");

            // One NOTIFY per inserting statement, delivered at commit (and folded by PostgreSQL
            // within a transaction): relays wake within milliseconds, not at their next poll.
            migrationBuilder.Sql($"""
                CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM pg_notify('{Imail.Domain.Outbox.OutboxChannel.Name}', '');
                  RETURN NULL;
                END $$;
                CREATE TRIGGER outbox_messages_inserted AFTER INSERT ON outbox_messages
                  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
                -- A requeued message is news too; a delivered or rescheduled one is not.
                CREATE TRIGGER outbox_messages_requeued AFTER UPDATE OF state ON outbox_messages
                  FOR EACH ROW WHEN (OLD.state <> 'Pending' AND NEW.state = 'Pending') EXECUTE FUNCTION outbox_notify();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS outbox_notify();");
        }
    }
}
