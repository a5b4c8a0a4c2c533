using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DataLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "audit_ref",
                table: "users",
                type: "uuid",
                nullable: false,
                defaultValueSql: "gen_random_uuid()");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "inactivity_deadline",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "inactivity_warned_at",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "restrictions",
                table: "users",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "discard_after",
                table: "outbox_messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "erase_payload_on_delivery",
                table: "outbox_messages",
                type: "boolean",
                nullable: false,
                defaultValueSql: "false");

            migrationBuilder.CreateTable(
                name: "anonymous_consent_proofs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    decided_on = table.Column<DateOnly>(type: "date", nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    decided_signed_in = table.Column<bool>(type: "boolean", nullable: false),
                    granted = table.Column<List<string>>(type: "text[]", nullable: false),
                    refused = table.Column<List<string>>(type: "text[]", nullable: false),
                    policy_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    banner_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    front_end = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_anonymous_consent_proofs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deletion_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    subject = table.Column<Guid>(type: "uuid", nullable: false),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    requester = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    extended_by_months = table.Column<int>(type: "integer", nullable: false),
                    extension_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    state = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    code_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    code_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancel_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deletion_requests", x => x.id);
                    table.ForeignKey(
                        name: "fk_deletion_requests_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "erasures",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    erased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    by_role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    by_actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    subject = table.Column<Guid>(type: "uuid", nullable: false),
                    request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    rows = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_erasures", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "staff_actions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    subject = table.Column<Guid>(type: "uuid", nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    details = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_staff_actions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_users_audit_ref",
                table: "users",
                column: "audit_ref",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_users_inactivity_deadline",
                table: "users",
                column: "inactivity_deadline",
                filter: "inactivity_deadline IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_anonymous_consent_proofs_decided_on",
                table: "anonymous_consent_proofs",
                column: "decided_on");

            migrationBuilder.CreateIndex(
                name: "ix_deletion_requests_closed_at",
                table: "deletion_requests",
                column: "closed_at",
                filter: "closed_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_deletion_requests_due",
                table: "deletion_requests",
                column: "due_at",
                filter: "state = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_deletion_requests_open_user",
                table: "deletion_requests",
                column: "user_id",
                unique: true,
                filter: "state IN ('AwaitingConfirmation', 'Pending')");

            migrationBuilder.CreateIndex(
                name: "ix_erasures_erased_at",
                table: "erasures",
                column: "erased_at");

            migrationBuilder.CreateIndex(
                name: "ix_erasures_subject",
                table: "erasures",
                column: "subject");

            migrationBuilder.CreateIndex(
                name: "ix_staff_actions_at",
                table: "staff_actions",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_staff_actions_subject_at",
                table: "staff_actions",
                columns: new[] { "subject", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "anonymous_consent_proofs");

            migrationBuilder.DropTable(
                name: "deletion_requests");

            migrationBuilder.DropTable(
                name: "erasures");

            migrationBuilder.DropTable(
                name: "staff_actions");

            migrationBuilder.DropIndex(
                name: "ix_users_audit_ref",
                table: "users");

            migrationBuilder.DropIndex(
                name: "ix_users_inactivity_deadline",
                table: "users");

            migrationBuilder.DropColumn(
                name: "audit_ref",
                table: "users");

            migrationBuilder.DropColumn(
                name: "inactivity_deadline",
                table: "users");

            migrationBuilder.DropColumn(
                name: "inactivity_warned_at",
                table: "users");

            migrationBuilder.DropColumn(
                name: "restrictions",
                table: "users");

            migrationBuilder.DropColumn(
                name: "discard_after",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "erase_payload_on_delivery",
                table: "outbox_messages");
        }
    }
}
